// The real Python server over stdio, driven by the LSP library VS Code's client is built on:
// initialize with pull diagnostics, open a FastAPI file, pull diagnostics, hover, code action.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { BUNDLED_BOOTSTRAP } from "../../src/logic/command";
import {
  CodeAction,
  CodeActionKind,
  CodeActionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  Diagnostic,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticReport,
  DocumentDiagnosticRequest,
  ExitNotification,
  Hover,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  MarkupContent,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextEdit,
  WorkDoneProgressCreateRequest,
} from "vscode-languageserver-protocol/node";

const ROOT = resolve(__dirname, "../../..");
const PYTHON = process.env.ASYNCGUARD_TEST_PYTHON ?? join(ROOT, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");

const MAIN = `import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
async def list_items():
    response = requests.get("https://example.com/items", timeout=5)
    return response.json()
`;

interface Variant {
  name: string;
  command: string;
  args: string[];
  settings: Record<string, unknown>;
  skip?: string;
}

const BUNDLED_LIBS = join(ROOT, "bundled", "libs");
const VARIANTS: Variant[] = [
  // The development install: the analysis environment is the interpreter running the server.
  { name: "server from .venv", command: PYTHON, args: ["-m", "asyncguard", "lsp"], settings: {} },
  // What the extension runs: bundled/libs in isolated mode on a plain python3, analysing .venv
  // through the 'python' setting.
  {
    name: "bundled server (bundled/libs)",
    command: process.platform === "win32" ? "python" : "python3",
    args: ["-B", "-I", "-c", BUNDLED_BOOTSTRAP, BUNDLED_LIBS, "lsp"], // -B: no __pycache__ in bundled/libs
    settings: { python: join(ROOT, ".venv") },
    skip: existsSync(join(BUNDLED_LIBS, "asyncguard")) ? undefined : "bundled/libs is not built (make vsix)",
  },
];

for (const variant of VARIANTS) {
  describe(variant.name, { skip: variant.skip }, () => {
    let workspace: string;
    let server: ChildProcess;
    let connection: ProtocolConnection;
    let uri: string;
    const stderr: string[] = [];
    const pushed: string[] = [];

    before(async () => {
      assert.ok(existsSync(PYTHON), `${PYTHON} is missing: run make venv`);
      workspace = mkdtempSync(join(tmpdir(), "asyncguard-lsp-"));
      mkdirSync(join(workspace, "app"));
      writeFileSync(join(workspace, "app", "__init__.py"), "");
      writeFileSync(join(workspace, "app", "main.py"), MAIN);
      uri = pathToFileURL(join(workspace, "app", "main.py")).href;
      const env = { ...process.env };
      delete env.VIRTUAL_ENV; // the analysis environment is the interpreter running the server
      server = spawn(variant.command, variant.args, { cwd: workspace, env, stdio: ["pipe", "pipe", "pipe"] });
      server.stderr!.on("data", (data: Buffer) => stderr.push(data.toString()));
      connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
      connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => ({ ...variant.settings })));
      connection.onRequest(RegistrationRequest.type, () => undefined);
      connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
      connection.onNotification(PublishDiagnosticsNotification.type, (params) => pushed.push(params.uri));
      connection.listen();
      const result = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: pathToFileURL(workspace).href,
        workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: "ws" }],
        initializationOptions: { trusted: true, logLevel: "info", ...variant.settings },
        capabilities: {
          general: { positionEncodings: ["utf-16"] },
          textDocument: {
            diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
            hover: { contentFormat: ["markdown", "plaintext"] },
            codeAction: {
              codeActionLiteralSupport: { codeActionKind: { valueSet: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] } },
            },
            publishDiagnostics: { relatedInformation: true },
          },
          workspace: { configuration: true, diagnostics: { refreshSupport: true }, workspaceEdit: { documentChanges: true } },
          window: { workDoneProgress: true },
        },
      });
      assert.equal(result.serverInfo?.name, "asyncguard");
      assert.ok(result.capabilities.diagnosticProvider, "the server offers pull diagnostics");
      await connection.sendNotification(InitializedNotification.type, {});
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: "python", version: 1, text: MAIN },
      });
  });

  after(async () => {
    try {
      if (connection) {
        await withTimeout(connection.sendRequest(ShutdownRequest.type), 10_000, "shutdown");
        await connection.sendNotification(ExitNotification.type);
      }
    } finally {
      await new Promise<void>((done) => {
        if (!server || server.exitCode !== null) {
          return done();
        }
        const timer = setTimeout(() => {
          server.kill();
          done();
        }, 5000);
        server.on("exit", () => {
          clearTimeout(timer);
          done();
        });
      });
      connection?.dispose();
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms; server stderr:\n${stderr.join("")}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  async function pullDiagnostics(): Promise<Diagnostic[]> {
    const report: DocumentDiagnosticReport = await withTimeout(
      connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } }),
      120_000,
      "textDocument/diagnostic",
    );
    assert.equal(report.kind, "full");
    return report.kind === "full" ? report.items : [];
  }

  test("pull diagnostics: AG102 on requests.get with its exact range and message", async () => {
    const items = await pullDiagnostics();
    const http = items.filter((d) => d.code === "AG102");
    assert.equal(http.length, 1, JSON.stringify(items));
    const [diagnostic] = http;
    assert.equal(diagnostic.source, "asyncguard");
    assert.equal(diagnostic.message, "requests.api.get blocks the event loop in async route GET /items");
    assert.deepEqual(diagnostic.range, { start: { line: 8, character: 15 }, end: { line: 8, character: 27 } });
    assert.equal(diagnostic.severity, 2); // warning
    assert.deepEqual(pushed, [], "a pull client gets no pushed diagnostics");
  });

  test("hover on requests.get names requests.api.get", async () => {
    const hover: Hover | null = await withTimeout(
      connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 8, character: 22 } }),
      60_000,
      "hover",
    );
    assert.ok(hover, "a hover");
    const value = (hover.contents as MarkupContent).value;
    assert.ok(value.startsWith("**`requests.api.get`**: a blocking HTTP request (AG102, warning)"), value);
  });

  test("code action: run requests.get in a thread", async () => {
    const [diagnostic] = (await pullDiagnostics()).filter((d) => d.code === "AG102");
    const actions = (await withTimeout(
      connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic], only: [CodeActionKind.QuickFix] },
      }),
      60_000,
      "codeAction",
    )) as CodeAction[];
    const fix = actions.find((action) => action.title.startsWith("Run requests.get in a thread"));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, CodeActionKind.QuickFix);
    const change = fix.edit?.documentChanges?.[0];
    assert.ok(change && "edits" in change, "a versioned text document edit");
    assert.equal(change.textDocument.version, 1);
    const text = applyEdits(MAIN, change.edits as TextEdit[]);
    assert.match(text, /response = await asyncio\.to_thread\(requests\.get, "https:\/\/example\.com\/items", timeout=5\)/);
    assert.match(text, /^import asyncio$/m);
  });
  });
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split("\n");
  const offset = (line: number, character: number) => lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0) + character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character));
  let result = text;
  for (const edit of sorted) {
    const start = offset(edit.range.start.line, edit.range.start.character);
    const end = offset(edit.range.end.line, edit.range.end.character);
    result = result.slice(0, start) + edit.newText + result.slice(end);
  }
  return result;
}
