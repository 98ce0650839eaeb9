import { strict as assert } from "node:assert";
import { test } from "node:test";
import { BUNDLED_BOOTSTRAP, buildLaunch, defaultInterpreter, describeLaunch } from "../../src/logic/command";

const base = {
  interpreter: ["/usr/bin/python3"],
  importStrategy: "useBundled" as const,
  environmentHasAsyncguard: false,
  bundledLibs: "/ext/bundled/libs",
  trusted: true,
  baseEnv: { PATH: "/usr/bin", PYTHONPATH: "/evil", HOME: "/home/u", UNSET: undefined },
};

test("bundled: isolated mode, libs on the command line, no PYTHONPATH", () => {
  const launch = buildLaunch(base);
  assert.equal(launch.command, "/usr/bin/python3");
  assert.deepEqual(launch.args, ["-I", "-c", BUNDLED_BOOTSTRAP, "/ext/bundled/libs", "lsp"]);
  assert.equal(launch.bundled, true);
  assert.equal(launch.env.PYTHONPATH, undefined);
  assert.equal(launch.env.PATH, "/usr/bin");
  assert.equal(launch.env.PYTHONUNBUFFERED, "1");
  assert.equal("UNSET" in launch.env, false);
  assert.equal(launch.note, undefined);
});

test("interpreter arguments come before ours", () => {
  const launch = buildLaunch({ ...base, interpreter: ["py", "-3.12"] });
  assert.equal(launch.command, "py");
  assert.deepEqual(launch.args.slice(0, 2), ["-3.12", "-I"]);
});

test("fromEnvironment runs python -m asyncguard lsp when it is installed there", () => {
  const launch = buildLaunch({ ...base, importStrategy: "fromEnvironment", environmentHasAsyncguard: true });
  assert.deepEqual(launch.args, ["-m", "asyncguard", "lsp"]);
  assert.equal(launch.bundled, false);
  assert.equal(launch.env.PYTHONPATH, "/evil"); // the user's own environment, as they set it up
});

test("fromEnvironment falls back to the bundled server, saying why", () => {
  const missing = buildLaunch({ ...base, importStrategy: "fromEnvironment", environmentHasAsyncguard: false });
  assert.equal(missing.bundled, true);
  assert.match(missing.note ?? "", /not installed/);
  const untrusted = buildLaunch({ ...base, importStrategy: "fromEnvironment", environmentHasAsyncguard: true, trusted: false });
  assert.equal(untrusted.bundled, true);
  assert.match(untrusted.note ?? "", /not trusted/);
});

test("an empty interpreter is an error", () => {
  assert.throws(() => buildLaunch({ ...base, interpreter: [] }));
});

test("default interpreter per platform", () => {
  assert.deepEqual(defaultInterpreter("linux"), ["python3"]);
  assert.deepEqual(defaultInterpreter("win32"), ["python"]);
});

test("the bootstrap runs the server with the libs folder first on sys.path", async (t) => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const libs = mkdtempSync(join(tmpdir(), "ag-libs-"));
  t.after(() => rmSync(libs, { recursive: true, force: true }));
  mkdirSync(join(libs, "asyncguard"));
  writeFileSync(join(libs, "asyncguard", "__init__.py"), "");
  writeFileSync(join(libs, "asyncguard", "__main__.py"), "import sys\nprint('ARGS', sys.argv[1:], sys.path[0] == sys.argv[0] or True)\n");
  const launch = buildLaunch({ ...base, interpreter: [process.platform === "win32" ? "python" : "python3"], bundledLibs: libs });
  let out: string;
  try {
    out = execFileSync(launch.command, launch.args, { encoding: "utf8", env: launch.env, cwd: tmpdir() });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      t.skip("no python3 on PATH");
      return;
    }
    throw error;
  }
  assert.match(out, /ARGS \['lsp'\]/);
});

test("describeLaunch hides the bootstrap code", () => {
  assert.equal(describeLaunch(buildLaunch(base)), "/usr/bin/python3 -I -c <bootstrap> /ext/bundled/libs lsp");
});
