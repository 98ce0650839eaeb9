// Bundle the extension (dist/extension.js) and, with --tests, the TypeScript tests (out/).
import * as esbuild from "esbuild";
import { readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const production = process.argv.includes("--production");
const tests = process.argv.includes("--tests");

function testFiles(folder) {
  const found = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      found.push(...testFiles(path));
    } else if (name.endsWith(".test.ts")) {
      found.push(path);
    }
  }
  return found;
}

const common = { bundle: true, platform: "node", format: "cjs", target: "node18", logLevel: "warning" };

await esbuild.build({
  ...common,
  entryPoints: [join(root, "client/src/extension.ts")],
  outfile: join(root, "dist/extension.js"),
  external: ["vscode"],
  minify: production,
  sourcemap: production ? false : "linked",
});

if (tests) {
  rmSync(join(root, "out"), { recursive: true, force: true });
  const entries = [...testFiles(join(root, "client/test")), ...testFiles(join(root, "tests/e2e"))];
  for (const entry of entries) {
    const rel = relative(root, entry);
    // client/test/unit/x.test.ts -> out/test/unit/x.test.js; tests/e2e/y.test.ts -> out/e2e/y.test.js
    const out = rel.startsWith("client/test/") ? join("out/test", rel.slice("client/test/".length)) : join("out/e2e", rel.slice("tests/e2e/".length));
    await esbuild.build({
      ...common,
      entryPoints: [entry],
      outfile: join(root, out.replace(/\.ts$/, ".js")),
      // Tests must not reach vscode; playwright-core comes from the e2e tools cache at run time.
      external: ["vscode", "playwright-core"],
      sourcemap: "inline",
    });
  }
}
