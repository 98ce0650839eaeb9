"""Compiler-style text: 'path:line:col: CODE [severity] message', chains indented below."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..engine.findings import Finding
from .common import display_path


def render(findings: list[Finding], errors: list[str], base: Path, files: int, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    out: list[str] = []
    for finding in findings:
        where = f"{display_path(finding.path, base)}:{finding.span.line}:{finding.span.col + 1}:"
        level = paint(f"[{finding.severity}]", "33" if finding.severity == "warning" else "36")
        out.append(f"{paint(where, '1')} {paint(finding.code, '1;31')} {level} {finding.message}")
        for hop in finding.chain[1:]:
            hop_where = f"{display_path(hop.path, base)}:{hop.span.line}:{hop.span.col + 1}"
            out.append(f"    -> {hop_where}: {hop.function} calls {hop.callee}")
    counts = Counter(f.severity for f in findings)
    if findings:
        detail = ", ".join(
            f"{n} {s}{'s' if n != 1 and s == 'warning' else ''}"
            for s, n in sorted(counts.items(), reverse=True)
        )
        noun = "finding" if len(findings) == 1 else "findings"
        out.append(f"Found {len(findings)} {noun} ({detail}) in {files} file{'s' if files != 1 else ''}.")
    elif not errors:
        out.append(f"No blocking calls found in {files} file{'s' if files != 1 else ''}.")
    return "\n".join(out) + ("\n" if out else "")
