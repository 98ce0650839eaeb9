"""Source positions: ast reports UTF-8 byte columns, everything else speaks code points."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A range in a file: 1-based lines, 0-based code-point columns, end exclusive."""

    # A whole-program run holds a quarter of a million of them.
    __slots__ = ("col", "end_col", "end_line", "line")

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

    def __reduce__(self) -> tuple[type[Span], tuple[int, int, int, int]]:
        # Worker processes send spans back pickled; a frozen class with slots cannot be
        # restored field by field (dataclass adds this itself only from Python 3.10 on).
        return Span, (self.line, self.col, self.end_line, self.end_col)

    def to_dict(self) -> dict[str, int]:
        return {"line": self.line, "col": self.col, "end_line": self.end_line, "end_col": self.end_col}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Span:
        return cls(data["line"], data["col"], data["end_line"], data["end_col"])


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Lines as Python and LSP count them: only '\\n', '\\r\\n' and '\\r' end one.
    str.splitlines also breaks at form feeds, '\\x1c'-'\\x1e', '\\x85' and '\\u2028'/'\\u2029',
    which a Python file may hold in a string or a comment: every line number after one was off."""
    lines = _LINE.findall(text)
    lines.pop()  # the empty match at the very end
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_LINE_END = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Converts ast byte offsets to code-point columns and slices source text by span."""

    __slots__ = ("_ascii", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # Byte columns are code-point columns throughout an ASCII file (nearly every file).
        self._ascii = text.isascii()
        # Character offset of each line start, then the text's end, for slicing by span. The
        # lines themselves are not kept: a copy of every module's text, line by line, was a
        # twentieth of a whole-program run's memory.
        starts = [0]
        starts.extend(match.end() for match in _LINE_END.finditer(text))
        if starts[-1] != len(text):
            starts.append(len(text))
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts) - 1

    def line_text(self, line: int) -> str:
        if 1 <= line < len(self._starts):
            return self.text[self._starts[line - 1] : self._starts[line]].rstrip("\r\n")
        return ""

    def lines_text(self, first: int, last: int) -> str:
        """Lines 'first' to 'last' (1-based, inclusive) with their line ends."""
        first = max(first, 1)
        last = min(last, len(self._starts) - 1)
        if first > last:
            return ""
        return self.text[self._starts[first - 1] : self._starts[last]]

    def char_col(self, line: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col
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
