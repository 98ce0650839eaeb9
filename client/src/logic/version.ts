// Which Python can run the server: parse the answer of a small probe script.
// Pure: no vscode import, unit-tested with node --test.

export const MIN_PYTHON: readonly [number, number] = [3, 9];

/** Printed by the interpreter under test; one JSON line, so noise before it is harmless. */
export const PROBE_SCRIPT = [
  "import importlib.util, json, sys",
  "print(json.dumps({'version': list(sys.version_info[:3]), 'executable': sys.executable,",
  " 'asyncguard': importlib.util.find_spec('asyncguard') is not None}))",
].join("\n");

export interface ProbeResult {
  major: number;
  minor: number;
  micro: number;
  executable: string;
  /** asyncguard importable from the interpreter's own environment (for importStrategy fromEnvironment). */
  hasAsyncguard: boolean;
}

export function parseProbeOutput(stdout: string): ProbeResult | undefined {
  const lines = stdout.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line.startsWith("{")) {
      continue;
    }
    try {
      const data = JSON.parse(line) as { version?: unknown; executable?: unknown; asyncguard?: unknown };
      const version = data.version;
      if (!Array.isArray(version) || version.length < 2 || !version.every((n) => Number.isInteger(n))) {
        continue;
      }
      return {
        major: version[0] as number,
        minor: version[1] as number,
        micro: (version[2] as number | undefined) ?? 0,
        executable: typeof data.executable === "string" ? data.executable : "",
        hasAsyncguard: data.asyncguard === true,
      };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Parse the classic `print(sys.version_info[:2])` answer, "(3, 11)". */
export function parseVersionTuple(text: string): [number, number] | undefined {
  const match = /\(\s*(\d+)\s*,\s*(\d+)\s*(?:,[^)]*)?\)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isSupported(version: { major: number; minor: number }, min: readonly [number, number] = MIN_PYTHON): boolean {
  return version.major > min[0] || (version.major === min[0] && version.minor >= min[1]);
}

export function formatVersion(version: { major: number; minor: number; micro?: number }): string {
  return version.micro === undefined ? `${version.major}.${version.minor}` : `${version.major}.${version.minor}.${version.micro}`;
}

/** One line for the user, naming what was tried and why it cannot run the server. */
export function describeUnusable(argv: readonly string[], problem: string): string {
  return `${argv.join(" ")}: ${problem}`;
}
