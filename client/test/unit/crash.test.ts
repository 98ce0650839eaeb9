import { strict as assert } from "node:assert";
import { test } from "node:test";
import { crashReason } from "../../src/logic/crash";

test("the last exception line of a traceback is the reason", () => {
  const stderr = [
    "Traceback (most recent call last):",
    '  File "<string>", line 1, in <module>',
    "ModuleNotFoundError: No module named 'pygls'",
  ];
  assert.equal(crashReason({ code: 1, signal: null }, stderr), "exit code 1: ModuleNotFoundError: No module named 'pygls'");
});

test("log noise is not a reason", () => {
  assert.equal(crashReason({ code: null, signal: "SIGKILL" }, ['Cancel notification for unknown message id "1"']), "killed by SIGKILL");
});

test("a start error without an exit", () => {
  assert.equal(crashReason(undefined, [], "spawn python3 ENOENT"), "spawn python3 ENOENT");
  assert.equal(crashReason(undefined, []), "the connection to the server closed");
});

test("qualified exception names and SystemExit", () => {
  const traceback = ["Traceback (most recent call last):", '  File "x.py", line 3, in <module>', "    f()", "jedi.api.environment.InvalidPythonEnvironment: broken", "later noise"];
  assert.equal(crashReason({ code: 2, signal: null }, traceback), "exit code 2: jedi.api.environment.InvalidPythonEnvironment: broken");
  assert.equal(crashReason({ code: 0, signal: null }, ["SystemExit"]), "exit code 0: SystemExit");
});
