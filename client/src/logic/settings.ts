// The extension's settings as plain data: which keys exist, which go to the server, which need a
// restart, and what an untrusted workspace may set. Pure: no vscode import.

export const SECTION = "asyncguard";

/** Settings the server reads (initializationOptions and workspace/configuration). */
export const SERVER_KEYS = [
  "enable",
  "scope",
  "severity",
  "extraBlockingCalls",
  "allow",
  "maxDepth",
  "python",
  "followLibraries",
  "cpuHeavy",
  "exclude",
  "logLevel",
  "showNotifications",
  "debounceMs",
] as const;

/** Settings that only the extension reads. */
export const CLIENT_KEYS = ["interpreter", "importStrategy", "trace.server"] as const;

/** A change to one of these restarts the server; the server re-reads the others itself. */
export const RESTART_KEYS = ["interpreter", "importStrategy", "enable", "python"] as const;

/** Keys whose workspace values are ignored in an untrusted workspace (restrictedConfigurations). */
export const RESTRICTED_KEYS = ["interpreter", "importStrategy", "python"] as const;

export type ServerKey = (typeof SERVER_KEYS)[number];

/** What `WorkspaceConfiguration.inspect()` answers, reduced to what matters here. */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The value in force. A restricted key in an untrusted workspace takes only the user's (global)
 * value, never the workspace's or the folder's.
 */
export function effectiveValue<T>(inspected: Inspected<T> | undefined, key: string, trusted: boolean): T | undefined {
  if (!inspected) {
    return undefined;
  }
  const restricted = !trusted && (RESTRICTED_KEYS as readonly string[]).includes(key);
  if (restricted) {
    return inspected.globalValue ?? inspected.defaultValue;
  }
  return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue ?? inspected.defaultValue;
}

export type ImportStrategySetting = "useBundled" | "fromEnvironment";

export interface ExtensionSettings {
  enable: boolean;
  interpreter: string[];
  importStrategy: ImportStrategySetting;
  trusted: boolean;
  /** Sent to the server as initializationOptions (plus 'trusted'). */
  server: Record<string, unknown>;
}

function asStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.length > 0) : [];
}

/**
 * Build the extension's settings from a lookup of effective values (already filtered for trust).
 * `lookup(key)` returns the value of `asyncguard.<key>`.
 */
export function buildSettings(lookup: (key: string) => unknown, trusted: boolean, expand: (value: string) => string = (v) => v): ExtensionSettings {
  const server: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = lookup(key);
    if (value !== undefined) {
      server[key] = value;
    }
  }
  if (typeof server.python === "string") {
    server.python = expand(server.python);
  }
  server.trusted = trusted;
  const strategy = lookup("importStrategy");
  return {
    enable: lookup("enable") !== false,
    interpreter: asStringArray(lookup("interpreter")).map(expand),
    importStrategy: trusted && strategy === "fromEnvironment" ? "fromEnvironment" : "useBundled",
    trusted,
    server,
  };
}

/**
 * Rewrite the `asyncguard` section the server gets through workspace/configuration: in an
 * untrusted workspace the restricted keys take the user's values, and 'trusted' says so.
 */
export function restrictSection(
  section: unknown,
  userValues: Readonly<Record<string, unknown>>,
  trusted: boolean,
): unknown {
  if (section === null || typeof section !== "object" || Array.isArray(section)) {
    return section;
  }
  const copy: Record<string, unknown> = { ...(section as Record<string, unknown>) };
  if (!trusted) {
    for (const key of RESTRICTED_KEYS) {
      if (key in userValues) {
        copy[key] = userValues[key];
      } else {
        delete copy[key];
      }
    }
  }
  copy.trusted = trusted;
  return copy;
}

/** Which of the restart keys a configuration change touched. */
export function restartKeysAffected(affects: (qualifiedKey: string) => boolean): string[] {
  return RESTART_KEYS.filter((key) => affects(`${SECTION}.${key}`));
}

/** Replace ${workspaceFolder}, ${userHome} and a leading ~ in a path setting. */
export function expandPath(value: string, vars: { workspaceFolder?: string; userHome: string }): string {
  let result = value.replace(/\$\{userHome\}/g, vars.userHome);
  if (vars.workspaceFolder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, vars.workspaceFolder);
  }
  if (result === "~" || result.startsWith("~/") || result.startsWith("~\\")) {
    result = vars.userHome + result.slice(1);
  }
  return result;
}
