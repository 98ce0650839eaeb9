"""Parse source into an ast that keeps every intact function, even while the user is typing.

Repairs only replace whole lines (or blank characters in place), so every position in the
repaired tree is a position in the original text.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from dataclasses import dataclass, field

from .positions import split_lines

# Each repair costs one full parse; past this the file is treated as unparseable.
MAX_REPAIRS = 40

_TYPE_ALIAS = re.compile(r"^([ \t]*)type[ \t]+([A-Za-z_]\w*)[ \t]*(\[[^\]\n]*\])?[ \t]*=.*$", re.M)
_TYPE_PARAMS = re.compile(
    r"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*)(\[[^\n]*?\])(?=[ \t]*[(:])", re.M
)


@dataclass
class ParseResult:
    tree: ast.Module | None
    # The first syntax error seen, when the tree needed repairs (or could not be built).
    error: str | None = None
    repaired_lines: tuple[int, ...] = ()


def _strip_pep695(text: str) -> str:
    """Make PEP 695 syntax readable by an older parser without moving any position."""

    def alias(match: re.Match[str]) -> str:
        head = f"{match.group(1)}{match.group(2)} = None"
        return head + " " * max(0, len(match.group(0)) - len(head))

    def params(match: re.Match[str]) -> str:
        return match.group(1) + " " * len(match.group(2))

    text = _TYPE_ALIAS.sub(alias, text)
    return _TYPE_PARAMS.sub(params, text)


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        # Invalid escape sequences in user code are not our business.
        warnings.simplefilter("ignore")
        return ast.parse(text, type_comments=False)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def parse_tolerant(text: str) -> ParseResult:
    try:
        return ParseResult(_parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        first_error = _describe(exc)
    if sys.version_info < (3, 12) and ("type " in text or "[" in text):
        stripped = _strip_pep695(text)
        if stripped != text:
            try:
                return ParseResult(_parse(stripped))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                text = stripped
    lines = split_lines(text)
    repaired: list[int] = []
    for _ in range(MAX_REPAIRS):
        try:
            tree = _parse("\n".join(lines))
            return ParseResult(tree, first_error, tuple(repaired))
        except (RecursionError, MemoryError):
            # Too deep for the parser, with no line number: the longest line is the usual
            # culprit (a generated expression); give up that one line, keep the rest.
            candidates = [i for i in range(len(lines)) if i + 1 not in repaired and lines[i].strip()]
            if not candidates:
                return ParseResult(None, first_error)
            longest = max(candidates, key=lambda i: len(lines[i]))
            lines[longest] = _indent(lines[longest]) + "pass"
            repaired.append(longest + 1)
            continue
        except ValueError:
            return ParseResult(None, first_error)
        except SyntaxError as exc:
            number = exc.lineno or 0
            if not 1 <= number <= len(lines):
                number = len(lines)
            if number in repaired:
                # Replacing the same line again cannot help: drop the block that follows it.
                number = _next_unrepaired(lines, number, repaired)
                if number is None:
                    return ParseResult(None, first_error)
            _repair_line(lines, number, exc)
            repaired.append(number)
    return ParseResult(None, first_error)


def _next_unrepaired(lines: list[str], number: int, repaired: list[int]) -> int | None:
    for candidate in range(number + 1, len(lines) + 1):
        if candidate not in repaired and lines[candidate - 1].strip():
            return candidate
    return None


def _repair_line(lines: list[str], number: int, exc: SyntaxError) -> None:
    line = lines[number - 1]
    message = exc.msg or ""
    if "unexpected indent" in message or "unindent" in message:
        # Blank the whole indented run: its header line is gone.
        depth = len(_indent(line))
        index = number - 1
        while index < len(lines) and (not lines[index].strip() or len(_indent(lines[index])) >= depth):
            lines[index] = ""
            index += 1
        return
    # 'pass' keeps a block that had this line as its only statement valid.
    lines[number - 1] = _indent(line) + "pass" if line.strip() else line


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        return f"syntax error at {where}: {exc.msg}"
    if isinstance(exc, RecursionError):
        return "expression nested too deeply to parse"
    return f"cannot parse: {exc}"


_CONTINUATIONS = ("else", "elif", "except", "finally", "case")


def split_top_level(text: str) -> list[tuple[int, str]]:
    """Cut the source into candidate top-level statements: (first line, text) pairs.

    A cut goes before each line that starts in column 0 with code, except continuations of a
    compound statement and the def/class that a decorator run belongs to. A wrong cut (a
    column-0 line inside a string) makes a piece that does not parse; callers then parse the
    whole text instead, so cutting is only ever an optimisation.
    """
    lines = split_lines(text, keepends=True)
    pieces: list[tuple[int, list[str]]] = []
    decorators_only = False
    for number, line in enumerate(lines, start=1):
        first = line[:1]
        starts = (
            first not in ("", " ", "\t", "#", "\n", "\r", ")", "]", "}", "@")
            and not line.startswith(_CONTINUATIONS)
            and not (pieces and pieces[-1][1] and pieces[-1][1][-1].rstrip("\r\n").endswith("\\"))
        )
        if first == "@" and not (pieces and decorators_only):
            pieces.append((number, [line]))
            decorators_only = True
            continue
        if (starts and not decorators_only) or not pieces:
            pieces.append((number, [line]))
        else:
            pieces[-1][1].append(line)
        if starts or first not in ("@", " ", "\t", "", "\n", "\r", "#"):
            decorators_only = False
    return [(start, "".join(chunk)) for start, chunk in pieces]


@dataclass
class ChunkCache:
    """Top-level statements parsed from an earlier version of the same file, by position and
    text: a one-line edit re-parses one statement, not the file."""

    entries: dict[tuple[int, str], list[ast.stmt]]
    # What later stages derived from a reused statement, by id of the statement (the object is
    # kept alive by 'entries', so the id stays its own).
    derived: dict[tuple[str, int], object] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ChunkCache:
        return cls({})

    def reuse(self, stage: str, stmt: ast.stmt) -> object | None:
        return self.derived.get((stage, id(stmt)))

    def keep(self, stage: str, stmt: ast.stmt, value: object) -> None:
        self.derived[(stage, id(stmt))] = value


def parse_incremental(text: str, cache: ChunkCache | None) -> tuple[ParseResult, ChunkCache]:
    """parse_tolerant(text), reusing the statements of unchanged top-level pieces."""
    if cache is None or len(text) < 20_000:
        return parse_tolerant(text), ChunkCache.empty()
    body: list[ast.stmt] = []
    fresh: dict[tuple[int, str], list[ast.stmt]] = {}
    for start, chunk in split_top_level(text):
        key = (start, chunk)
        statements = cache.entries.get(key)
        if statements is None:
            try:
                tree = _parse(chunk)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return parse_tolerant(text), ChunkCache.empty()
            ast.increment_lineno(tree, start - 1)
            statements = tree.body
        fresh[key] = statements
        body.extend(statements)
    reused = {id(stmt) for statements in fresh.values() for stmt in statements}
    derived = {key: value for key, value in cache.derived.items() if key[1] in reused}
    return ParseResult(ast.Module(body=body, type_ignores=[])), ChunkCache(fresh, derived)
