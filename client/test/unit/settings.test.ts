import { strict as assert } from "node:assert";
import { test } from "node:test";
import { interpreterCandidates } from "../../src/logic/candidates";
import {
  buildSettings,
  effectiveValue,
  expandPath,
  restartKeysAffected,
  restrictSection,
  SERVER_KEYS,
} from "../../src/logic/settings";

test("trusted: folder over workspace over user over default", () => {
  assert.equal(effectiveValue({ defaultValue: "d", globalValue: "g", workspaceValue: "w", workspaceFolderValue: "f" }, "python", true), "f");
  assert.equal(effectiveValue({ defaultValue: "d", globalValue: "g", workspaceValue: "w" }, "python", true), "w");
  assert.equal(effectiveValue({ defaultValue: "d", globalValue: "g" }, "python", true), "g");
  assert.equal(effectiveValue({ defaultValue: "d" }, "python", true), "d");
  assert.equal(effectiveValue(undefined, "python", true), undefined);
});

test("untrusted: workspace values of interpreter, python and importStrategy are ignored", () => {
  const inspected = { defaultValue: "", globalValue: "/home/u/.venv", workspaceValue: "./evil-venv", workspaceFolderValue: "./evil" };
  assert.equal(effectiveValue(inspected, "python", false), "/home/u/.venv");
  assert.deepEqual(effectiveValue({ defaultValue: [], workspaceValue: ["./bin/python"] }, "interpreter", false), []);
  assert.equal(effectiveValue({ defaultValue: "useBundled", workspaceValue: "fromEnvironment" }, "importStrategy", false), "useBundled");
  // Analysis settings still follow the workspace.
  assert.equal(effectiveValue({ defaultValue: "all", workspaceValue: "routes" }, "scope", false), "routes");
});

test("buildSettings: server keys, trust flag, interpreter and strategy", () => {
  const values: Record<string, unknown> = {
    enable: true,
    interpreter: ["~/py/bin/python", ""],
    importStrategy: "fromEnvironment",
    scope: "routes",
    severity: { http: "error" },
    python: "${workspaceFolder}/.venv",
    maxDepth: 4,
    "trace.server": "verbose",
  };
  const expand = (v: string) => expandPath(v, { workspaceFolder: "/ws", userHome: "/home/u" });
  const trusted = buildSettings((key) => values[key], true, expand);
  assert.equal(trusted.enable, true);
  assert.deepEqual(trusted.interpreter, ["/home/u/py/bin/python"]);
  assert.equal(trusted.importStrategy, "fromEnvironment");
  assert.deepEqual(trusted.server, { enable: true, scope: "routes", severity: { http: "error" }, python: "/ws/.venv", maxDepth: 4, trusted: true });
  const untrusted = buildSettings((key) => values[key], false, expand);
  assert.equal(untrusted.importStrategy, "useBundled");
  assert.equal(untrusted.server.trusted, false);
  for (const key of Object.keys(trusted.server)) {
    assert.ok(key === "trusted" || (SERVER_KEYS as readonly string[]).includes(key), key);
  }
});

test("enable defaults to true; only false disables", () => {
  assert.equal(buildSettings(() => undefined, true).enable, true);
  assert.equal(buildSettings((key) => (key === "enable" ? false : undefined), true).enable, false);
});

test("restrictSection replaces restricted keys when untrusted and always says trust", () => {
  const section = { scope: "all", python: "./evil", interpreter: ["./evil/python"], importStrategy: "fromEnvironment" };
  const user = { python: "", interpreter: [], importStrategy: "useBundled" };
  assert.deepEqual(restrictSection(section, user, false), { scope: "all", python: "", interpreter: [], importStrategy: "useBundled", trusted: false });
  assert.deepEqual(restrictSection(section, user, true), { ...section, trusted: true });
  assert.deepEqual(restrictSection({ python: "./evil" }, {}, false), { trusted: false });
  assert.equal(restrictSection(null, user, false), null);
});

test("restart only for interpreter, importStrategy, enable and python", () => {
  const changed = new Set(["asyncguard.python", "asyncguard.scope"]);
  assert.deepEqual(restartKeysAffected((key) => changed.has(key)), ["python"]);
  assert.deepEqual(restartKeysAffected(() => false), []);
  assert.deepEqual(restartKeysAffected(() => true), ["interpreter", "importStrategy", "enable", "python"]);
});

test("expandPath", () => {
  const vars = { workspaceFolder: "/ws", userHome: "/home/u" };
  assert.equal(expandPath("~/x", vars), "/home/u/x");
  assert.equal(expandPath("${userHome}/x", vars), "/home/u/x");
  assert.equal(expandPath("${workspaceFolder}/.venv", vars), "/ws/.venv");
  assert.equal(expandPath("${workspaceFolder}/.venv", { userHome: "/h" }), "${workspaceFolder}/.venv");
  assert.equal(expandPath("/abs/~x", vars), "/abs/~x");
});

test("interpreter candidates", () => {
  assert.deepEqual(interpreterCandidates({ setting: ["/opt/py"], pythonExtension: "/ext/py", trusted: true, platform: "linux" }), [
    { argv: ["/opt/py"], source: "setting" },
  ]);
  assert.deepEqual(interpreterCandidates({ setting: [], pythonExtension: "/ws/.venv/bin/python", trusted: true, platform: "linux" }), [
    { argv: ["/ws/.venv/bin/python"], source: "python-extension" },
    { argv: ["python3"], source: "path" },
  ]);
  // Untrusted: the Python extension's choice may be the workspace's own venv.
  assert.deepEqual(interpreterCandidates({ setting: [], pythonExtension: "/ws/.venv/bin/python", trusted: false, platform: "win32" }), [
    { argv: ["python"], source: "path" },
  ]);
});
