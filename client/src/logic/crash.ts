// One line that says why the server stopped, from its exit and the last lines of its stderr.
// Pure: unit-tested with node --test.

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** "ModuleNotFoundError: No module named 'pygls'" and the like: the last line of a traceback. */
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)|KeyboardInterrupt|MemoryError)(:|$)/;

export function crashReason(exit: ExitInfo | undefined, stderr: readonly string[], fallback?: string): string {
  const parts: string[] = [];
  if (exit) {
    parts.push(exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal}`);
  }
  const exception = lastTracebackLine(stderr) ?? [...stderr].reverse().map((line) => line.trim()).find((line) => EXCEPTION_LINE.test(line));
  if (exception) {
    parts.push(exception);
  } else if (fallback) {
    parts.push(fallback);
  }
  return parts.join(": ") || "the connection to the server closed";
}

/** The exception line that closes the last Python traceback: the first unindented line after it. */
function lastTracebackLine(stderr: readonly string[]): string | undefined {
  let start = -1;
  stderr.forEach((line, index) => {
    if (line.startsWith("Traceback (most recent call last):")) {
      start = index;
    }
  });
  if (start < 0) {
    return undefined;
  }
  return stderr.slice(start + 1).find((line) => line.trim() && !/^\s/.test(line))?.trim();
}
