// Start, stop and restart the language server; restart a crashed one with back-off.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from "vscode-languageclient/node";
import { RestartPolicy } from "./logic/backoff";
import { describeSource } from "./logic/candidates";
import { crashReason } from "./logic/crash";
import { buildLaunch, describeLaunch, Launch } from "./logic/command";
import { restrictSection, SECTION } from "./logic/settings";
import { formatVersion } from "./logic/version";
import { findInterpreter } from "./python";
import { readSettings, settingsResource, userValues } from "./settings";
import { Status } from "./status";

const SCAN_COMMAND = "asyncguard.scanWorkspace";
const RUNNING_CONTEXT = "asyncguard.running";
const STDERR_LINES = 20;

/** One server process and its client. */
class Run {
  client!: LanguageClient;
  process?: ChildProcess;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** The last lines the server wrote to stderr: the reason a crash is shown with. */
  stderr: string[] = [];
  /** Stopped on purpose: its close is no crash. */
  deliberate = false;
}

/** setContext can fail while the window shuts down; that must not stop a shutdown. */
async function setRunningContext(running: boolean): Promise<void> {
  try {
    await vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, running);
  } catch {
    // the window is going away
  }
}

export class ServerManager implements vscode.Disposable {
  private run: Run | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly policy = new RestartPolicy();
  private pendingRestart: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: Status,
  ) {}

  get client(): LanguageClient | undefined {
    return this.run?.client;
  }

  /** (Re)start deliberately: a user command, a settings change, trust granted. */
  restart(why: string): Promise<void> {
    this.policy.reset();
    return this.enqueue(async () => {
      this.log.info(`asyncguard: (re)starting the server: ${why}`);
      await this.stopRun();
      await this.startRun();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopRun());
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    if (this.pendingRestart) {
      clearTimeout(this.pendingRestart);
      this.pendingRestart = undefined;
    }
    const next = this.queue.then(task, task);
    this.queue = next.catch((error) => this.log.error(`asyncguard: ${String(error)}`));
    return next;
  }

  private async startRun(): Promise<void> {
    if (this.disposed) {
      return;
    }
    const resource = settingsResource();
    const settings = readSettings(resource);
    if (!settings.enable) {
      this.log.info("asyncguard: disabled by asyncguard.enable");
      this.status.disabled();
      return;
    }
    this.status.starting();
    const found = await findInterpreter(settings.interpreter, settings.trusted, resource, this.log);
    if (!found.ok) {
      const reason = `${found.reason}. Set asyncguard.interpreter to a Python 3.9+ interpreter, or install Python 3.9+.`;
      this.log.error(`asyncguard: ${reason}`);
      for (const line of found.tried) {
        this.log.error(`asyncguard:   tried ${line}`);
      }
      this.status.error(found.reason);
      this.notifyError(`asyncguard cannot start: ${reason}`);
      return;
    }
    const { interpreter } = found;
    const launch = buildLaunch({
      interpreter: interpreter.argv,
      importStrategy: settings.importStrategy,
      environmentHasAsyncguard: interpreter.probe.hasAsyncguard,
      bundledLibs: path.join(this.context.extensionPath, "bundled", "libs"),
      trusted: settings.trusted,
      baseEnv: process.env,
    });
    if (launch.note) {
      this.log.warn(`asyncguard: ${launch.note}`);
    }
    const version = formatVersion(interpreter.probe);
    this.log.info(
      `asyncguard: Python ${version} at ${interpreter.probe.executable} (from ${describeSource(interpreter.source)}), ` +
        `${launch.bundled ? "bundled server" : "server from that environment"}${settings.trusted ? "" : ", untrusted workspace"}`,
    );
    this.log.info(`asyncguard: ${describeLaunch(launch)}`);

    const run = new Run();
    const serverOptions: ServerOptions = async () => this.spawn(run, launch, resource);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: settings.server,
      synchronize: {
        // Changes are announced with empty settings: the server then asks workspace/configuration,
        // whose answers go through the trust filter below.
        configurationSection: SECTION,
        fileEvents: [
          vscode.workspace.createFileSystemWatcher("**/*.py"),
          vscode.workspace.createFileSystemWatcher("**/pyproject.toml"),
        ],
      },
      errorHandler: {
        error: (_error, _message, count): ErrorHandlerResult => ({
          action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
          handled: true,
        }),
        closed: () => this.onClosed(run),
      },
      middleware: {
        workspace: {
          didChangeConfiguration: (_sections, next) => next(undefined),
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            const trusted = vscode.workspace.isTrusted;
            const user = userValues();
            return answer.map((item, index) =>
              params.items[index]?.section === SECTION ? restrictSection(item, user, trusted) : item,
            );
          },
        },
        executeCommand: async (command, args, next) => {
          const result = await next(command, args);
          if (command === SCAN_COMMAND && result && typeof result === "object") {
            const { files, findings } = result as { files?: number; findings?: number };
            const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
            void vscode.window.showInformationMessage(`asyncguard: ${plural(findings ?? 0, "finding")} in ${plural(files ?? 0, "file")}.`);
          }
          return result;
        },
      },
    };
    run.client = new LanguageClient("asyncguard", "asyncguard", serverOptions, clientOptions);
    this.run = run;
    try {
      await run.client.start();
    } catch (error) {
      const reason = this.reasonFor(run, error);
      this.log.error(`asyncguard: the server did not start: ${reason}`);
      this.status.error(`did not start: ${reason}`);
      this.notifyError(`asyncguard: the server did not start: ${reason}`);
      run.deliberate = true;
      await this.disposeRun(run);
      if (this.run === run) {
        this.run = undefined;
      }
      return;
    }
    const origin = launch.bundled ? "bundled server" : "environment's server";
    this.status.running(`Python ${version}, ${origin}${settings.trusted ? "" : " (restricted mode)"}`);
    await setRunningContext(true);
  }

  private spawn(run: Run, launch: Launch, resource: vscode.Uri | undefined): ChildProcess {
    const cwd = resource?.scheme === "file" ? resource.fsPath : this.emptyFolder();
    const child = spawn(launch.command, launch.args, { cwd, env: launch.env, windowsHide: true });
    run.process = child;
    child.stderr?.on("data", (data: Buffer) => {
      const lines = data.toString("utf8").split(/\r?\n/).filter((line) => line.trim());
      run.stderr.push(...lines);
      run.stderr.splice(0, Math.max(0, run.stderr.length - STDERR_LINES));
    });
    child.on("error", (error) => {
      run.stderr.push(String(error));
    });
    child.on("exit", (code, signal) => {
      run.exit = { code, signal };
      if (!run.deliberate) {
        this.log.warn(`asyncguard: the server exited (${code !== null ? `code ${code}` : `signal ${signal}`})`);
      }
    });
    return child;
  }

  /** A folder with nothing in it: the working directory when no folder is open. */
  private emptyFolder(): string {
    const folder = path.join(this.context.globalStorageUri.fsPath, "no-folder");
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  }

  private async onClosed(run: Run): Promise<CloseHandlerResult> {
    if (run.deliberate || this.run !== run || this.disposed) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    await setRunningContext(false);
    // Give the process a moment to report how it ended.
    for (let i = 0; i < 20 && run.exit === undefined && run.process; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reason = this.reasonFor(run);
    const decision = this.policy.onCrash(Date.now());
    if (decision.restart) {
      this.log.warn(`asyncguard: the server stopped (${reason}); restarting in ${(decision.delayMs / 1000).toFixed(1)} s (restart ${decision.attempt})`);
      this.status.restarting(reason);
      this.pendingRestart = setTimeout(() => {
        this.pendingRestart = undefined;
        this.queue = this.queue.then(async () => {
          if (this.run !== run || this.disposed) {
            return; // someone restarted or stopped it meanwhile
          }
          await this.stopRun();
          await this.startRun();
        });
      }, decision.delayMs);
    } else {
      const message = `${decision.reason}; last: ${reason}`;
      this.log.error(`asyncguard: not restarting: ${message}`);
      this.status.error(`stopped: ${message}`);
      this.notifyError(`asyncguard stopped: ${message}. Fix the cause, then run "asyncguard: Restart Server".`);
    }
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private reasonFor(run: Run, error?: unknown): string {
    const fallback = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    return crashReason(run.exit, run.stderr, fallback);
  }

  private async stopRun(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    await setRunningContext(false);
    if (run) {
      run.deliberate = true;
      await this.disposeRun(run);
    }
  }

  private async disposeRun(run: Run): Promise<void> {
    try {
      await run.client.dispose(3000);
    } catch (error) {
      this.log.debug(`asyncguard: stopping the client: ${String(error)}`);
    }
    const child = run.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      // A server that ignored shutdown/exit.
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
      }
    }
  }

  private notifyError(message: string): void {
    void vscode.window.showErrorMessage(message, "Show logs").then((choice) => {
      if (choice === "Show logs") {
        this.log.show(true);
      }
    });
  }
}
