"""JSON: one object {"findings": [...], "errors": [...]} with 1-based positions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine.findings import Finding
from .common import display_path, one_based


def finding_dict(finding: Finding, where: Callable[[str], str]) -> dict[str, Any]:
    """'where' shows a path as the user reads it (relative to where they ran the check)."""
    return {
        "path": where(finding.path),
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
                "path": where(hop.path),
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
    """One finding per line: json's indented output is written by its pure-Python encoder,
    which took half of a run answered from the cache on a project with 259 findings."""
    shown: dict[str, str] = {}

    def where(path: str) -> str:
        # Many findings and chain hops share a file: one relative path per file.
        if path not in shown:
            shown[path] = display_path(path, base)
        return shown[path]

    items = [json.dumps(finding_dict(f, where)) for f in findings]
    lines = ["{", '  "findings": [' + ("" if items else "],")]
    lines.extend(f"    {item}," for item in items[:-1])
    if items:
        lines.extend([f"    {items[-1]}", "  ],"])
    lines.extend([f'  "errors": {json.dumps(errors)}', "}"])
    return "\n".join(lines) + "\n"
