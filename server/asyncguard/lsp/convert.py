"""Findings and edits to LSP types. The engine speaks code points; LSP speaks UTF-16 by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from ..engine.findings import Finding
from ..engine.positions import Span, split_lines
from ..fixes.edits import TextEdit

SOURCE = "asyncguard"


class Lines:
    """Line texts of one document version, for column conversion to the negotiated encoding."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.lines = split_lines(text)
        self.encoding = encoding

    def _line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def to_client(self, line: int, col: int) -> types.Position:
        """Engine (1-based line, code-point col) -> LSP position."""
        text = self._line(line - 1)
        if not text.isascii():
            if self.encoding == "utf-16":
                col = len(text[:col].encode("utf-16-le")) // 2
            elif self.encoding == "utf-8":
                col = len(text[:col].encode("utf-8"))
        return types.Position(line=max(0, line - 1), character=col)

    def from_client(self, position: types.Position) -> tuple[int, int]:
        """LSP position -> engine (1-based line, code-point col)."""
        text = self._line(position.line)
        col = position.character
        if not text.isascii():
            if self.encoding == "utf-16":
                col = len(text.encode("utf-16-le")[: col * 2].decode("utf-16-le", "ignore"))
            elif self.encoding == "utf-8":
                col = len(text.encode("utf-8")[:col].decode("utf-8", "ignore"))
        return position.line + 1, col

    def range(self, span: Span) -> types.Range:
        return types.Range(
            start=self.to_client(span.line, span.col), end=self.to_client(span.end_line, span.end_col)
        )


def path_to_uri(path: str) -> str:
    return Path(path).absolute().as_uri()


_SEVERITY = {
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "error": types.DiagnosticSeverity.Error,
    "hint": types.DiagnosticSeverity.Hint,
}


def diagnostic(finding: Finding, lines: Lines, version: int | None) -> types.Diagnostic:
    related: list[types.DiagnosticRelatedInformation] = []
    for number, hop in enumerate(finding.chain[1:], start=1):
        hop_lines = lines if hop.path == finding.path else None
        hop_range = hop_lines.range(hop.span) if hop_lines else _plain_range(hop.span)
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=path_to_uri(hop.path), range=hop_range),
                message=f"{number}. {hop.function} calls {hop.callee}",
            )
        )
    # What a code action needs, and no more: the server keeps the findings themselves.
    data: dict[str, Any] = {"version": version, "target": finding.target, "fix": finding.fix}
    return types.Diagnostic(
        range=lines.range(finding.func_span),
        message=finding.message,
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=finding.rule.doc_url),
        source=SOURCE,
        related_information=related or None,
        data=data,
    )


def _plain_range(span: Span) -> types.Range:
    # Other files are not open here: code points are the best estimate of UTF-16 units.
    return types.Range(
        start=types.Position(line=span.line - 1, character=span.col),
        end=types.Position(line=span.end_line - 1, character=span.end_col),
    )


def text_edit(edit: TextEdit, lines: Lines) -> types.TextEdit:
    return types.TextEdit(range=lines.range(edit.span), new_text=edit.new_text)
