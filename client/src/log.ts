// The one output channel: the extension's own messages, the server's stderr and log messages,
// and the LSP trace.
import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel("asyncguard", { log: true });
  return channel;
}

export function showLogs(): void {
  channel?.show(true);
}
