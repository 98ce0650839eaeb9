// package.json against the code: every setting contributed, described, scoped; versions agree.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { CLIENT_KEYS, RESTRICTED_KEYS, SERVER_KEYS } from "../../src/logic/settings";

const ROOT = resolve(__dirname, "../../..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const properties: Record<string, Record<string, unknown>> = manifest.contributes.configuration.properties;

test("version and license match pyproject.toml", () => {
  const pyproject = readFileSync(join(ROOT, "pyproject.toml"), "utf8");
  assert.equal(manifest.version, /^version = "(.+)"$/m.exec(pyproject)?.[1]);
  assert.equal(manifest.license, "MIT");
  assert.equal(manifest.main, "./dist/extension.js");
  assert.deepEqual(manifest.activationEvents, ["onLanguage:python"]);
  assert.equal(manifest.extensionDependencies, undefined, "no hard dependency on the Python extension");
});

test("engines.vscode satisfies vscode-languageclient and @types/vscode", () => {
  const client = JSON.parse(readFileSync(join(ROOT, "node_modules/vscode-languageclient/package.json"), "utf8"));
  assert.equal(manifest.engines.vscode, client.engines.vscode);
  const types = manifest.devDependencies["@types/vscode"].replace(/^[\^~]/, "");
  assert.equal(`^${types}`, manifest.engines.vscode);
});

test("every setting is contributed with a description, a default and a scope", () => {
  const expected = [...SERVER_KEYS, ...CLIENT_KEYS].map((key) => `asyncguard.${key}`).sort();
  assert.deepEqual(Object.keys(properties).sort(), expected);
  for (const [key, property] of Object.entries(properties)) {
    assert.ok(property.description || property.markdownDescription, `${key} has a description`);
    assert.ok("default" in property, `${key} has a default`);
    assert.ok(typeof property.scope === "string", `${key} has a scope`);
  }
});

test("defaults agree with the server's", () => {
  const defaults = Object.fromEntries(Object.entries(properties).map(([key, p]) => [key.slice("asyncguard.".length), p.default]));
  assert.deepEqual(
    {
      enable: defaults.enable,
      scope: defaults.scope,
      maxDepth: defaults.maxDepth,
      followLibraries: defaults.followLibraries,
      cpuHeavy: defaults.cpuHeavy,
      logLevel: defaults.logLevel,
      showNotifications: defaults.showNotifications,
      debounceMs: defaults.debounceMs,
      importStrategy: defaults.importStrategy,
      "trace.server": defaults["trace.server"],
    },
    {
      enable: true,
      scope: "all",
      maxDepth: 8,
      followLibraries: false,
      cpuHeavy: false,
      logLevel: "warning",
      showNotifications: "onWarning",
      debounceMs: 20,
      importStrategy: "useBundled",
      "trace.server": "off",
    },
  );
});

test("interpreter and environment settings are machine-overridable and restricted when untrusted", () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, "limited");
  assert.ok(untrusted.description);
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), RESTRICTED_KEYS.map((key) => `asyncguard.${key}`).sort());
  for (const key of RESTRICTED_KEYS) {
    assert.equal(properties[`asyncguard.${key}`].scope, "machine-overridable", key);
  }
  assert.equal(manifest.capabilities.virtualWorkspaces, false);
});

test("the three commands", () => {
  const commands = Object.fromEntries(
    manifest.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, `${c.category}: ${c.title}`]),
  );
  assert.deepEqual(commands, {
    "asyncguard.restart": "asyncguard: Restart Server",
    "asyncguard.showLogs": "asyncguard: Show Logs",
    "asyncguard.scanWorkspace": "asyncguard: Scan Workspace",
  });
});

test("severity categories and setting names match the server's", (t) => {
  const python = join(ROOT, ".venv", "bin", "python");
  if (!existsSync(python)) {
    t.skip("no .venv (make venv)");
    return;
  }
  const script = [
    "import json",
    "from asyncguard.engine.rules import CATEGORIES",
    "from asyncguard.config import _SETTINGS_KEYS",
    "print(json.dumps([sorted(CATEGORIES), sorted(_SETTINGS_KEYS)]))",
  ].join("\n");
  const [categories, engineKeys] = JSON.parse(execFileSync(python, ["-c", script], { encoding: "utf8" })) as [string[], string[]];
  assert.deepEqual(Object.keys((properties["asyncguard.severity"].properties as object) ?? {}).sort(), categories);
  for (const key of engineKeys) {
    assert.ok((SERVER_KEYS as readonly string[]).includes(key), `the server reads asyncguard.${key}`);
  }
});
