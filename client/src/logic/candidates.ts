// The order in which interpreters are tried for running the server. Pure.

export type InterpreterSource = "setting" | "python-extension" | "path";

export interface Candidate {
  argv: string[];
  source: InterpreterSource;
}

export interface CandidateInput {
  /** asyncguard.interpreter, already filtered for trust. */
  setting: readonly string[];
  /** The Python extension's active interpreter, if it is installed, trusted and answered. */
  pythonExtension?: string;
  trusted: boolean;
  platform: string;
}

export function interpreterCandidates(input: CandidateInput): Candidate[] {
  if (input.setting.length > 0) {
    // An explicit choice is final: a broken one is reported, not silently replaced.
    return [{ argv: [...input.setting], source: "setting" }];
  }
  const candidates: Candidate[] = [];
  if (input.trusted && input.pythonExtension) {
    candidates.push({ argv: [input.pythonExtension], source: "python-extension" });
  }
  candidates.push({ argv: [input.platform === "win32" ? "python" : "python3"], source: "path" });
  return candidates;
}

export function describeSource(source: InterpreterSource): string {
  switch (source) {
    case "setting":
      return "asyncguard.interpreter";
    case "python-extension":
      return "the Python extension's active environment";
    case "path":
      return "PATH";
  }
}
