// Read asyncguard.* into plain data (the rules live in logic/settings.ts).
import * as os from "os";
import * as vscode from "vscode";
import { buildSettings, effectiveValue, expandPath, ExtensionSettings, RESTRICTED_KEYS, SECTION } from "./logic/settings";

/** The resource whose settings apply: the server serves the first workspace folder. */
export function settingsResource(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

function expander(resource: vscode.Uri | undefined): (value: string) => string {
  const folder = resource ? vscode.workspace.getWorkspaceFolder(resource)?.uri.fsPath : undefined;
  return (value) => expandPath(value, { workspaceFolder: folder, userHome: os.homedir() });
}

export function readSettings(resource = settingsResource()): ExtensionSettings {
  const trusted = vscode.workspace.isTrusted;
  const config = vscode.workspace.getConfiguration(SECTION, resource);
  return buildSettings((key) => effectiveValue(config.inspect(key), key, trusted), trusted, expander(resource));
}

/** The user's own values of the restricted keys (what an untrusted workspace falls back to). */
export function userValues(resource = settingsResource()): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, resource);
  const expand = expander(resource);
  const values: Record<string, unknown> = {};
  for (const key of RESTRICTED_KEYS) {
    const inspected = config.inspect(key);
    const value = inspected?.globalValue ?? inspected?.defaultValue;
    if (value !== undefined) {
      values[key] = typeof value === "string" ? expand(value) : value;
    }
  }
  return values;
}
