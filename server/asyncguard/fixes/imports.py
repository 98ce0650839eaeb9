"""Reuse the module's own imports, or add one in the place a person would put it."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..engine.positions import Span
from .edits import TextEdit


@dataclass
class Name:
    """How to spell a name in this module, and the edit that makes it available (if any)."""

    text: str
    edit: TextEdit | None


def _module_imports(tree: ast.Module) -> list[ast.stmt]:
    return [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]


def _bound_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


def _docstring_end(tree: ast.Module) -> int:
    if tree.body:
        first = tree.body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            return first.end_lineno or first.lineno
    return 0


def insertion_line(tree: ast.Module, statement: str, lines: list[str]) -> int:
    """1-based line before which to insert an import statement.

    After the docstring and __future__ imports; among the leading plain imports in
    alphabetical order when they are sorted; otherwise at the top of the import block.
    """
    after = _docstring_end(tree)
    imports = _module_imports(tree)
    leading: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                after = stmt.end_lineno or stmt.lineno
                continue
            leading.append(stmt)
        elif stmt.lineno <= after:
            continue
        else:
            break
    if not leading:
        if imports:
            return imports[0].lineno
        # No imports at all: after the docstring (and its blank line), else at the top.
        return after + 1
    key = _sort_key(statement)
    for stmt in leading:
        if isinstance(stmt, ast.Import) and statement.startswith("import ") and _sort_key_of(stmt) > key:
            return stmt.lineno
        if isinstance(stmt, ast.ImportFrom) and statement.startswith("from ") and _sort_key_of(stmt) > key:
            return stmt.lineno
    plain = [s for s in leading if isinstance(s, ast.Import)]
    if statement.startswith("import ") and plain:
        return (plain[-1].end_lineno or plain[-1].lineno) + 1
    froms = [s for s in leading if isinstance(s, ast.ImportFrom)]
    if statement.startswith("from ") and froms:
        same_root = [s for s in froms if (s.module or "").split(".")[0] == _root(statement)]
        last = (same_root or froms)[-1]
        return (last.end_lineno or last.lineno) + 1
    return leading[0].lineno


def _root(statement: str) -> str:
    return statement.split()[1].split(".")[0]


def _sort_key(statement: str) -> str:
    return statement.split()[1].lower()


def _sort_key_of(stmt: ast.Import | ast.ImportFrom) -> str:
    if isinstance(stmt, ast.Import):
        return stmt.names[0].name.lower()
    return (stmt.module or "").lower()


def _insert(tree: ast.Module, lines: list[str], statement: str) -> TextEdit:
    line = insertion_line(tree, statement, lines)
    text = statement + "\n"
    if not _module_imports(tree) and line <= len(lines) and lines[line - 1].strip():
        # The first import of the file: keep PEP 8's two blank lines before the code.
        text += "\n\n"
    return TextEdit(Span(line, 0, line, 0), text)


def asyncio_attr(tree: ast.Module | None, lines: list[str], attr: str) -> Name:
    """How to write asyncio.<attr> here: 'asyncio.to_thread', 'aio.to_thread', 'to_thread'."""
    if tree is None:
        return Name(f"asyncio.{attr}", None)
    for stmt in _module_imports(tree):
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "asyncio" and stmt.level == 0:
            for alias in stmt.names:
                if alias.name == attr:
                    return Name(alias.asname or attr, None)
    for stmt in _module_imports(tree):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "asyncio":
                    return Name(f"{alias.asname or 'asyncio'}.{attr}", None)
    if "asyncio" in _bound_names(tree):
        # Something else is called asyncio here; do not shadow it.
        return Name(f"__import__('asyncio').{attr}", None)
    return Name(f"asyncio.{attr}", _insert(tree, lines, "import asyncio"))


def threadpool_name(tree: ast.Module | None, lines: list[str]) -> Name | None:
    """How to write run_in_threadpool here, when the module uses Starlette or FastAPI."""
    if tree is None:
        return None
    uses_framework = False
    for stmt in _module_imports(tree):
        modules = [stmt.module or ""] if isinstance(stmt, ast.ImportFrom) else [a.name for a in stmt.names]
        for module in modules:
            if module.split(".")[0] in ("starlette", "fastapi"):
                uses_framework = True
        if isinstance(stmt, ast.ImportFrom) and stmt.module in (
            "starlette.concurrency",
            "fastapi.concurrency",
        ):
            for alias in stmt.names:
                if alias.name == "run_in_threadpool":
                    return Name(alias.asname or alias.name, None)
    if not uses_framework or "run_in_threadpool" in _bound_names(tree):
        return None
    return Name(
        "run_in_threadpool", _insert(tree, lines, "from starlette.concurrency import run_in_threadpool")
    )


def functools_partial(tree: ast.Module | None, lines: list[str]) -> Name:
    if tree is None:
        return Name("functools.partial", None)
    for stmt in _module_imports(tree):
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "functools":
            for alias in stmt.names:
                if alias.name == "partial":
                    return Name(alias.asname or "partial", None)
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "functools":
                    return Name(f"{alias.asname or 'functools'}.partial", None)
    return Name("functools.partial", _insert(tree, lines, "import functools"))
