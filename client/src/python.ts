// Find a Python (3.9+) to run the server: asyncguard.interpreter, else the Python extension's
// active environment (when that extension is installed), else python3 on PATH.
import { execFile } from "child_process";
import * as os from "os";
import * as vscode from "vscode";
import { PythonExtension } from "@vscode/python-extension";
import { Candidate, describeSource, interpreterCandidates } from "./logic/candidates";
import { formatVersion, isSupported, MIN_PYTHON, parseProbeOutput, PROBE_SCRIPT, ProbeResult } from "./logic/version";

const PYTHON_EXTENSION_ID = "ms-python.python";
const PROBE_TIMEOUT_MS = 15_000;

export interface Interpreter {
  argv: string[];
  source: Candidate["source"];
  probe: ProbeResult;
}

export type InterpreterResult = { ok: true; interpreter: Interpreter } | { ok: false; reason: string; tried: string[] };

/** Run the probe script with the interpreter; undefined plus a reason when it cannot. */
export function probe(argv: readonly string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<{ result?: ProbeResult; problem?: string }> {
  return new Promise((resolve) => {
    const [command, ...args] = argv;
    const env = { ...process.env };
    delete env.PYTHONPATH;
    delete env.PYTHONHOME;
    execFile(
      command,
      [...args, "-c", PROBE_SCRIPT],
      { timeout: timeoutMs, windowsHide: true, env, cwd: os.tmpdir(), maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") {
            resolve({ problem: "not found" });
          } else if ((error as { killed?: boolean }).killed) {
            resolve({ problem: `no answer within ${Math.round(timeoutMs / 1000)} s` });
          } else {
            const detail = String(stderr || error.message).trim().split(/\r?\n/).pop() ?? "";
            resolve({ problem: `failed to run (${detail})` });
          }
          return;
        }
        const result = parseProbeOutput(String(stdout));
        resolve(result ? { result } : { problem: `unexpected answer: ${String(stdout).trim().slice(0, 200)}` });
      },
    );
  });
}

let pythonApi: Promise<PythonExtension | undefined> | undefined;

/** The Python extension's API when it is installed, probed at run time (no hard dependency). */
export function pythonExtensionApi(): Promise<PythonExtension | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
    return Promise.resolve(undefined);
  }
  pythonApi ??= PythonExtension.api().then(
    (api) => api,
    () => {
      pythonApi = undefined;
      return undefined;
    },
  );
  return pythonApi;
}

async function activeEnvironmentInterpreter(resource: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<string | undefined> {
  try {
    const api = await pythonExtensionApi();
    if (!api) {
      return undefined;
    }
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath;
  } catch (error) {
    log.warn(`asyncguard: the Python extension did not name an interpreter: ${String(error)}`);
    return undefined;
  }
}

/**
 * Calls 'listener' when the Python extension's active environment for 'resource' really changes
 * (it also fires for the same path, for example while it starts).
 */
export async function onActiveEnvironmentChanged(
  resource: vscode.Uri | undefined,
  listener: () => void,
): Promise<vscode.Disposable | undefined> {
  const api = await pythonExtensionApi();
  if (!api) {
    return undefined;
  }
  let current = api.environments.getActiveEnvironmentPath(resource).path;
  return api.environments.onDidChangeActiveEnvironmentPath((event) => {
    if (event.path === current) {
      return;
    }
    current = event.path;
    listener();
  });
}

export async function findInterpreter(
  setting: readonly string[],
  trusted: boolean,
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<InterpreterResult> {
  const fromExtension = setting.length === 0 && trusted ? await activeEnvironmentInterpreter(resource, log) : undefined;
  const candidates = interpreterCandidates({ setting, pythonExtension: fromExtension, trusted, platform: process.platform });
  const tried: string[] = [];
  for (const candidate of candidates) {
    const { result, problem } = await probe(candidate.argv);
    const where = `${candidate.argv.join(" ")} (from ${describeSource(candidate.source)})`;
    if (!result) {
      tried.push(`${where}: ${problem}`);
      log.warn(`asyncguard: cannot use ${where}: ${problem}`);
      continue;
    }
    if (!isSupported(result)) {
      const why = `Python ${formatVersion(result)} is too old (asyncguard needs ${MIN_PYTHON.join(".")} or newer)`;
      tried.push(`${where}: ${why}`);
      log.warn(`asyncguard: cannot use ${where}: ${why}`);
      continue;
    }
    return { ok: true, interpreter: { argv: [...candidate.argv], source: candidate.source, probe: result } };
  }
  return {
    ok: false,
    reason: `no usable Python ${MIN_PYTHON.join(".")}+ found`,
    tried,
  };
}
