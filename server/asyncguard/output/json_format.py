"""JSON: one object {"findings": [...], "errors": [...]} with 1-based positions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..engine.findings import Finding
from .common import display_path, one_based


def finding_dict(finding: Finding, base: Path) -> dict[str, Any]:
    return {
        "path": display_path(finding.path, base),
        **one_based(finding.span),
        "code": finding.code,
        "category": finding.category,
        "severity": finding.severity,
        "message": finding.message,
        "target": finding.target,
        "callee": finding.callee,
        "function": finding.function,
        "route": finding.route,
        "reason": finding.reason,
        "alternative": finding.alternative,
        "cached": finding.cached,
        "chain": [
            {
                "path": display_path(hop.path, base),
                "line": hop.span.line,
                "column": hop.span.col + 1,
                "callee": hop.callee,
                "function": hop.function,
            }
            for hop in finding.chain
        ],
        "url": finding.rule.doc_url,
    }


def render(findings: list[Finding], errors: list[str], base: Path) -> str:
    payload = {"findings": [finding_dict(f, base) for f in findings], "errors": errors}
    return json.dumps(payload, indent=2) + "\n"
