"""Source positions: ast reports UTF-8 byte columns, everything else speaks code points."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A range in a file: 1-based lines, 0-based code-point columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int

    def contains(self, line: int, col: int) -> bool:
        if line < self.line or line > self.end_line:
            return False
        if line == self.line and col < self.col:
            return False
        return not (line == self.end_line and col > self.end_col)

    def to_dict(self) -> dict[str, int]:
        return {"line": self.line, "col": self.col, "end_line": self.end_line, "end_col": self.end_col}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Span:
        return cls(data["line"], data["col"], data["end_line"], data["end_col"])


class LineIndex:
    """Converts ast byte offsets to code-point columns and slices source text by span."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        # Character offset of each line start, for slicing the text by span.
        self._starts: list[int] = []
        offset = 0
        for line in self.lines:
            self._starts.append(offset)
            offset += len(line)
        self._starts.append(offset)

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1].rstrip("\r\n")
        return ""

    def char_col(self, line: int, byte_col: int) -> int:
        text = self.line_text(line)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> Span:
        line = node.lineno  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        return Span(
            line,
            self.char_col(line, node.col_offset),  # type: ignore[attr-defined]
            end_line,
            self.char_col(end_line, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def offset(self, line: int, col: int) -> int:
        if line - 1 >= len(self._starts):
            return len(self.text)
        return min(self._starts[line - 1] + col, len(self.text))

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.line, span.col) : self.offset(span.end_line, span.end_col)]
