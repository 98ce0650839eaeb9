import { strict as assert } from "node:assert";
import { test } from "node:test";
import { formatVersion, isSupported, parseProbeOutput, parseVersionTuple, PROBE_SCRIPT } from "../../src/logic/version";

test("probe output with noise before the JSON line", () => {
  const out = 'Warning: something\n{"version": [3, 11, 7], "executable": "/usr/bin/python3", "asyncguard": false}\n';
  assert.deepEqual(parseProbeOutput(out), { major: 3, minor: 11, micro: 7, executable: "/usr/bin/python3", hasAsyncguard: false });
});

test("probe output with asyncguard installed and Windows line ends", () => {
  const out = '{"version": [3, 9, 0], "executable": "C:\\\\Python39\\\\python.exe", "asyncguard": true}\r\n';
  const result = parseProbeOutput(out);
  assert.equal(result?.hasAsyncguard, true);
  assert.equal(result?.executable, "C:\\Python39\\python.exe");
});

test("garbage and partial answers are rejected", () => {
  assert.equal(parseProbeOutput(""), undefined);
  assert.equal(parseProbeOutput("Python 3.11.7"), undefined);
  assert.equal(parseProbeOutput('{"version": "3.11"}'), undefined);
  assert.equal(parseProbeOutput('{"version": [3]}'), undefined);
  assert.equal(parseProbeOutput("{not json"), undefined);
});

test("version tuples as printed by sys.version_info[:2]", () => {
  assert.deepEqual(parseVersionTuple("(3, 11)\n"), [3, 11]);
  assert.deepEqual(parseVersionTuple("(3, 9, 18)"), [3, 9]);
  assert.equal(parseVersionTuple("3.11"), undefined);
});

test("3.9 is the oldest supported Python", () => {
  assert.equal(isSupported({ major: 3, minor: 9 }), true);
  assert.equal(isSupported({ major: 3, minor: 13 }), true);
  assert.equal(isSupported({ major: 4, minor: 0 }), true);
  assert.equal(isSupported({ major: 3, minor: 8 }), false);
  assert.equal(isSupported({ major: 2, minor: 7 }), false);
});

test("formatVersion", () => {
  assert.equal(formatVersion({ major: 3, minor: 12, micro: 1 }), "3.12.1");
  assert.equal(formatVersion({ major: 3, minor: 12 }), "3.12");
});

test("the probe script is valid Python that prints one JSON line", async (t) => {
  const { execFileSync } = await import("node:child_process");
  let out: string;
  try {
    out = execFileSync(process.platform === "win32" ? "python" : "python3", ["-c", PROBE_SCRIPT], { encoding: "utf8" });
  } catch {
    t.skip("no python3 on PATH");
    return;
  }
  const result = parseProbeOutput(out);
  assert.ok(result, out);
  assert.ok(result.major >= 3);
});
