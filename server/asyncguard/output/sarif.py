"""SARIF 2.1.0 for GitHub code scanning; chains become code flows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..engine.findings import Finding
from ..engine.positions import Span
from ..engine.rules import RULES
from .common import display_path

_LEVEL = {"warning": "warning", "info": "note"}


def _location(path: str, span: Span, base: Path, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": Path(display_path(path, base)).as_posix(), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": span.line,
                "startColumn": span.col + 1,
                "endLine": span.end_line,
                "endColumn": span.end_col + 1,
            },
        }
    }
    if message:
        location["message"] = {"text": message}
    return location


def _result(finding: Finding, base: Path, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": _LEVEL.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.span, base)],
        "properties": {"category": finding.category, "target": finding.target, "severity": finding.severity},
    }
    if finding.route:
        result["properties"]["route"] = finding.route
    if finding.chain:
        result["codeFlows"] = [
            {
                "threadFlows": [
                    {
                        "locations": [
                            {
                                "location": _location(
                                    hop.path, hop.span, base, f"{hop.function} calls {hop.callee}"
                                )
                            }
                            for hop in finding.chain
                        ]
                    }
                ]
            }
        ]
    return result


def render(findings: list[Finding], errors: list[str], base: Path) -> str:
    rule_index = {rule.code: number for number, rule in enumerate(RULES)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "asyncguard",
                "version": __version__,
                "informationUri": "https://github.com/asyncguard/asyncguard",
                "rules": [
                    {
                        "id": rule.code,
                        "name": rule.name,
                        "shortDescription": {"text": rule.title},
                        "helpUri": rule.doc_url,
                        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
                    }
                    for rule in RULES
                ],
            }
        },
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"uri": base.absolute().as_uri() + "/"}},
        "results": [_result(f, base, rule_index) for f in findings],
    }
    if errors:
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in errors],
            }
        ]
    payload = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(payload, indent=2) + "\n"
