"""The harness of the catalog-name tests: a snippet with '§' right before the called name is
resolved as asyncguard's resolver does (jedi goto with follow_imports; for entries with
'receivers' or 'not_receivers' the receiver's inferred class must be taken by the entry; when
goto finds nothing, the receiver's inferred class C is tried as 'C.<method>'), giving the catalog
entry the call matches, if any.

jedi runs in the current interpreter's environment: the test venv has the libraries installed.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import jedi
import pytest
from asyncguard.engine.catalog import Match, default_catalog

CATALOG = default_catalog(cpu_heavy=True)
MARK = "§"

# Mirrors asyncguard.engine.resolve: stub re-exports, and receivers that are async look-alikes.
_NAME_FIXUPS = {"io.open": "builtins.open", "_io.open": "builtins.open"}
_ASYNC_MARKERS = (".asyncio.", ".aio.", "aioredis", "motor.", "aiofiles")


def is_async_type(full_name: str) -> bool:
    dotted = f".{full_name}."
    if any(marker in dotted for marker in _ASYNC_MARKERS):
        return True
    return full_name.rsplit(".", 1)[-1].startswith("Async")


@dataclass(frozen=True)
class Case:
    code: str
    # The entry name the call must match, or None for a look-alike that must match nothing.
    expected: str | None
    severity: str | None = None

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).strip("\n") + "\n"

    @property
    def label(self) -> str:
        line = next(line for line in self.source.splitlines() if MARK in line)
        return line.strip().replace(MARK, "")[:60]


def C(code: str, expected: str | None, severity: str | None = None) -> Case:
    return Case(code, expected, severity)


def _locate(source: str) -> tuple[str, int, int]:
    lines = source.splitlines()
    for number, line in enumerate(lines, start=1):
        if MARK in line:
            column = line.index(MARK)
            lines[number - 1] = line.replace(MARK, "", 1)
            return "\n".join(lines) + "\n", number, column
    raise AssertionError("snippet without a § marker")


def _top_level_modules(source: str) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.extend(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.append(node.module.split(".")[0])
    return modules


def resolve(source: str, where: Path) -> Match | None:
    code, line, column = _locate(source)
    script = jedi.Script(code, path=str(where / "snippet.py"))
    text = code.splitlines()[line - 1]
    has_receiver = column > 0 and text[column - 1] == "."
    attr = ""
    while column + len(attr) < len(text) and (
        text[column + len(attr)].isalnum() or text[column + len(attr)] == "_"
    ):
        attr += text[column + len(attr)]

    def receiver_types() -> list[str]:
        # Inferred at the '.' before the method name: jedi answers nothing at the ')' that
        # closes a call with arguments ("open('x').read()"), but does at the dot.
        if not has_receiver:
            return []
        return [n.full_name for n in script.infer(line, column - 1) if n.full_name]

    for name in script.goto(line, column, follow_imports=True):
        full = name.full_name
        if not full:
            continue
        full = _NAME_FIXUPS.get(full, full)
        match = CATALOG.match(full)
        if match is None:
            return None
        entry = match.entry
        if has_receiver and (
            entry.receivers or entry.not_receivers or entry.name.startswith("redis.commands.")
        ):
            types = receiver_types()
            if any(is_async_type(t) for t in types):
                return None
            if (entry.receivers or entry.not_receivers) and not any(entry.takes(t) for t in types):
                return None
        return match
    for type_name in receiver_types():
        if is_async_type(type_name):
            return None
        match = CATALOG.match(f"{type_name}.{attr}")
        if match is not None:
            return match
    return None


def check(case: Case, where: Path) -> None:
    """The case's call matches its expected entry (or nothing, for a look-alike); skipped when a
    library it imports is not installed."""
    for module in dict.fromkeys(_top_level_modules(case.source.replace(MARK, ""))):
        pytest.importorskip(module)
    match = resolve(case.source, where)
    if case.expected is None:
        assert match is None, f"look-alike matched {match.entry.name!r} via {match.name!r}"
        return
    assert match is not None, f"no catalog entry matched (expected {case.expected!r})"
    assert match.entry.name == case.expected, f"matched {match.entry.name!r} via {match.name!r}"
    if case.severity is not None:
        assert match.entry.severity == case.severity
