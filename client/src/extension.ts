// Wiring only: create the pieces, register commands and listeners.
import * as vscode from "vscode";
import { restartKeysAffected, SECTION } from "./logic/settings";
import { createLog, showLogs } from "./log";
import { onActiveEnvironmentChanged } from "./python";
import { ServerManager } from "./server";
import { readSettings, settingsResource } from "./settings";
import { Status } from "./status";

let manager: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const status = new Status();
  manager = new ServerManager(context, log, status);
  const server = manager;
  context.subscriptions.push(
    log,
    status,
    vscode.commands.registerCommand("asyncguard.restart", () => server.restart("asyncguard: Restart Server")),
    vscode.commands.registerCommand("asyncguard.showLogs", () => showLogs()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      const keys = restartKeysAffected((key) => event.affectsConfiguration(key));
      if (keys.length > 0) {
        void server.restart(`changed ${keys.map((key) => `${SECTION}.${key}`).join(", ")}`);
      }
      // Other settings: the client forwards didChangeConfiguration and the server re-reads them.
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server.restart("workspace trusted")),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void server.restart("workspace folders changed")),
  );
  // The Python extension (if installed) may take a while to activate: do not wait for it here.
  void onActiveEnvironmentChanged(settingsResource(), () => {
    const settings = readSettings();
    if (settings.interpreter.length === 0 && settings.trusted) {
      void server.restart("the Python extension's active environment changed");
    }
  }).then((listener) => listener && context.subscriptions.push(listener));
  // Starting needs a Python probe and the server's initialize: activation does not wait for it.
  void server.restart("activated");
}

export async function deactivate(): Promise<void> {
  await manager?.dispose();
  manager = undefined;
}
