// How to launch the server process. Pure: paths and platform are passed in.

export type ImportStrategy = "useBundled" | "fromEnvironment";

export interface LaunchInput {
  /** The interpreter and its own arguments, e.g. ["/usr/bin/python3"] or ["py", "-3.12"]. */
  interpreter: readonly string[];
  importStrategy: ImportStrategy;
  /** The interpreter's environment has asyncguard installed (probe result). */
  environmentHasAsyncguard: boolean;
  /** <extension>/bundled/libs */
  bundledLibs: string;
  trusted: boolean;
  /** The process environment to start from (process.env). */
  baseEnv: Readonly<Record<string, string | undefined>>;
}

export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** True when the server comes from bundled/libs. */
  bundled: boolean;
  /** Why the bundled server is used although the user asked for another, if so. */
  note?: string;
}

/**
 * Runs the bundled server in isolated mode (-I): neither the working directory (the workspace),
 * PYTHONPATH nor the user's site-packages can shadow the bundled libraries, so a workspace file
 * named like one of them is never imported. bundled/libs goes on sys.path from the command line
 * instead of PYTHONPATH, which the analysis subprocesses would inherit.
 */
export const BUNDLED_BOOTSTRAP =
  "import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); runpy.run_module('asyncguard', run_name='__main__', alter_sys=True)";

/** Variables that would change what the bundled server imports, or point it at another env. */
const DROPPED_FOR_BUNDLED = ["PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH"];

export function buildLaunch(input: LaunchInput): Launch {
  if (input.interpreter.length === 0 || !input.interpreter[0]) {
    throw new Error("no interpreter");
  }
  const [command, ...interpreterArgs] = input.interpreter;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv)) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  env.PYTHONUNBUFFERED = "1";
  env.PYTHONIOENCODING = "utf-8";
  const wantsEnvironment = input.importStrategy === "fromEnvironment" && input.trusted;
  if (wantsEnvironment && input.environmentHasAsyncguard) {
    return { command, args: [...interpreterArgs, "-m", "asyncguard", "lsp"], env, bundled: false };
  }
  for (const key of DROPPED_FOR_BUNDLED) {
    delete env[key];
  }
  let note: string | undefined;
  if (input.importStrategy === "fromEnvironment") {
    note = input.trusted
      ? "asyncguard is not installed in that environment; using the bundled server"
      : "the workspace is not trusted; using the bundled server";
  }
  return {
    command,
    args: [...interpreterArgs, "-I", "-c", BUNDLED_BOOTSTRAP, input.bundledLibs, "lsp"],
    env,
    bundled: true,
    note,
  };
}

/** The interpreter tried last: python3 on PATH (python on Windows). */
export function defaultInterpreter(platform: string): string[] {
  return [platform === "win32" ? "python" : "python3"];
}

export function describeLaunch(launch: Launch): string {
  const quote = (arg: string) => (/[\s'"]/.test(arg) ? JSON.stringify(arg) : arg);
  const shown = launch.args.map((arg) => (arg === BUNDLED_BOOTSTRAP ? "<bootstrap>" : arg));
  return [launch.command, ...shown].map(quote).join(" ");
}
