"""Text edits in code-point positions, applied and compile-checked before they are offered."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from ..engine.positions import LineIndex, Span, split_lines


@dataclass(frozen=True)
class TextEdit:
    span: Span
    new_text: str

    def to_dict(self) -> dict[str, object]:
        return {"span": self.span.to_dict(), "new_text": self.new_text}


@dataclass
class CodeFix:
    title: str
    edits: list[TextEdit]
    kind: str = "quickfix"
    preferred: bool = False
    # Which finding codes this fix resolves (for the diagnostics attached to the action).
    codes: tuple[str, ...] = ()


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    index = LineIndex(text)
    ordered = sorted(
        edits, key=lambda e: (e.span.line, e.span.col, e.span.end_line, e.span.end_col), reverse=True
    )
    result = text
    previous_start: int | None = None
    for edit in ordered:
        start = index.offset(edit.span.line, edit.span.col)
        end = index.offset(edit.span.end_line, edit.span.end_col)
        if previous_start is not None and end > previous_start:
            raise ValueError("overlapping edits")
        result = result[:start] + edit.new_text + result[end:]
        previous_start = start
    return result


def compiles(text: str, filename: str = "<fix>") -> bool:
    """Does the text compile as a module? (await placement included, unlike ast.parse)"""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def top_level_region(tree: ast.Module | None, line: int, end_line: int) -> tuple[int, int] | None:
    """The lines of the top-level statement(s) around [line, end_line], decorators included."""
    if tree is None:
        return None
    start = stop = None
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        last = stmt.end_lineno or stmt.lineno
        if last >= line and first <= end_line:
            start = first if start is None else min(start, first)
            stop = last if stop is None else max(stop, last)
    if start is None or stop is None:
        return None
    return start, stop


def fix_compiles(text: str, tree: ast.Module | None, edits: list[TextEdit]) -> bool:
    """Check the edited text compiles. When the document as a whole does not compile (the user
    is typing elsewhere), check the edited top-level statements on their own instead."""
    edited = apply_edits(text, edits)
    if compiles(edited):
        return True
    if compiles(text):
        return False
    lines = [(e.span.line, e.span.end_line) for e in edits]
    region = top_level_region(tree, min(a for a, _ in lines), max(b for _, b in lines))
    if region is None:
        return False
    # Import edits at the top of the file form their own region; check each touched piece.
    pieces = [e for e in edits if region[0] <= e.span.line <= region[1]]
    other = [e for e in edits if e not in pieces]
    original = split_lines(text, keepends=True)
    segment = "".join(original[region[0] - 1 : region[1]])
    shifted = [
        TextEdit(
            Span(e.span.line - region[0] + 1, e.span.col, e.span.end_line - region[0] + 1, e.span.end_col),
            e.new_text,
        )
        for e in pieces
    ]
    if not compiles(apply_edits(segment, shifted)):
        return False
    return all(compiles(e.new_text) for e in other)
