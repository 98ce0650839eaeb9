import { strict as assert } from "node:assert";
import { test } from "node:test";
import { RestartPolicy } from "../../src/logic/backoff";

const MIN = 60_000;

test("delays double up to the cap", () => {
  const policy = new RestartPolicy({ maxRestarts: 10, windowMs: 3 * MIN, baseDelayMs: 500, maxDelayMs: 3000 });
  const delays = [0, 1, 2, 3, 4, 5].map((i) => {
    const decision = policy.onCrash(1000 + i);
    assert.ok(decision.restart);
    return decision.delayMs;
  });
  assert.deepEqual(delays, [500, 1000, 2000, 3000, 3000, 3000]);
});

test("five restarts in three minutes, then it stops with a reason", () => {
  const policy = new RestartPolicy();
  for (let i = 1; i <= 5; i++) {
    const decision = policy.onCrash(i * 1000);
    assert.deepEqual(decision.restart && decision.attempt, i);
  }
  const sixth = policy.onCrash(10_000);
  assert.equal(sixth.restart, false);
  assert.ok(!sixth.restart && /crashed 6 times in 3 minutes/.test(sixth.reason));
});

test("crashes older than the window are forgotten", () => {
  const policy = new RestartPolicy();
  for (let i = 0; i < 5; i++) {
    policy.onCrash(i * 1000);
  }
  const later = policy.onCrash(4000 + 3 * MIN + 1);
  assert.ok(later.restart);
  assert.equal(later.restart && later.attempt, 1);
  assert.equal(later.restart && later.delayMs, 500);
});

test("a deliberate restart resets the count", () => {
  const policy = new RestartPolicy();
  for (let i = 0; i < 5; i++) {
    policy.onCrash(i);
  }
  policy.reset();
  assert.equal(policy.recentCrashes, 0);
  const decision = policy.onCrash(10);
  assert.ok(decision.restart && decision.attempt === 1);
});
