// A language status item next to "Python" in the status bar: running, starting, error, disabled.
import * as vscode from "vscode";

export class Status implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem("asyncguard.status", { language: "python" });
    this.item.name = "asyncguard";
    this.item.command = { title: "Show Logs", command: "asyncguard.showLogs" };
    this.starting();
  }

  starting(): void {
    this.set("$(sync~spin) asyncguard", "starting", vscode.LanguageStatusSeverity.Information, true);
  }

  running(detail: string): void {
    this.set("$(check) asyncguard", detail, vscode.LanguageStatusSeverity.Information, false);
  }

  restarting(reason: string): void {
    this.set("$(sync~spin) asyncguard", `restarting: ${reason}`, vscode.LanguageStatusSeverity.Warning, true);
  }

  error(reason: string): void {
    this.set("$(error) asyncguard", reason, vscode.LanguageStatusSeverity.Error, false);
    this.item.command = { title: "Show Logs", command: "asyncguard.showLogs" };
  }

  disabled(): void {
    this.set("$(circle-slash) asyncguard", "disabled (asyncguard.enable is false)", vscode.LanguageStatusSeverity.Information, false);
  }

  private set(text: string, detail: string, severity: vscode.LanguageStatusSeverity, busy: boolean): void {
    this.item.text = text;
    this.item.detail = detail;
    this.item.severity = severity;
    this.item.busy = busy;
    this.item.accessibilityInformation = { label: `asyncguard: ${detail}` };
  }

  dispose(): void {
    this.item.dispose();
  }
}
