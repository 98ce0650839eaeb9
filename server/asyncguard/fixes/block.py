"""'Run this block in a thread': move a run of blocking statements into a local sync function
that returns what later code uses, and await it once with asyncio.to_thread.

This is the fix that keeps thread-bound objects working (a sqlite3 connection must be used on
the thread that made it), and the one that turns ten wraps into one hop to the threadpool.
"""

from __future__ import annotations

import ast
import io
import tokenize

from ..engine.catalog import builtin_entries, builtin_returns
from ..engine.findings import Finding
from ..engine.positions import Span
from . import imports
from .edits import CodeFix, TextEdit

_BLOCKS = ("body", "orelse", "finalbody")
_STOPPERS = (
    ast.Return,
    ast.Yield,
    ast.YieldFrom,
    ast.Await,
    ast.AsyncFor,
    ast.AsyncWith,
    ast.Break,
    ast.Continue,
)


def _statement_lists(node: ast.AST):  # type: ignore[no-untyped-def]
    """Every statement list in a function's own frame, innermost last."""
    for name in _BLOCKS:
        body = getattr(node, name, None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            yield body
            for stmt in body:
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    yield from _statement_lists(stmt)
    for handler in getattr(node, "handlers", []) or []:
        yield handler.body
        for stmt in handler.body:
            yield from _statement_lists(stmt)
    for case in getattr(node, "cases", []) or []:
        yield case.body
        for stmt in case.body:
            yield from _statement_lists(stmt)


def _contains(stmt: ast.stmt, line: int) -> bool:
    return stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno)


def _function_at(tree: ast.Module, line: int) -> ast.AsyncFunctionDef | None:
    found: ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.AsyncFunctionDef) or not _contains(node, line):
            continue
        if found is None or node.lineno > found.lineno:
            found = node
    return found


def _frame_walk(nodes: list[ast.stmt]):  # type: ignore[no-untyped-def]
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.append(child)


def _stored(nodes: list[ast.stmt]) -> list[str]:
    names: list[str] = []
    for node in _frame_walk(nodes):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
    return names


def _loaded_after(function: ast.AsyncFunctionDef, line: int) -> set[str]:
    return {
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.lineno > line
    }


def _multiline_strings(text: str) -> set[int]:
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                lines.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return lines


def _thread_bound_names(statements: list[ast.stmt], findings: list[Finding]) -> set[str]:
    """Names bound to objects that belong to their thread: the results of calls whose
    catalog type is itself thread-bound (sqlite3.connect -> Connection, .cursor() -> Cursor)."""
    returns = builtin_returns()
    bound_types = {e.name.rsplit(".", 1)[0] for e in builtin_entries() if e.thread_bound}
    makers = {
        (f.span.line, f.span.col)
        for f in findings
        if f.fix.get("thread_bound") and returns.get(f.target) in bound_types
    }
    names: set[str] = set()
    for node in _frame_walk(statements):
        pairs: list[tuple[ast.expr, ast.expr | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            pairs = [(node.optional_vars, node.context_expr)]
        for target, value in pairs:
            if isinstance(value, ast.Call) and (value.lineno, value.col_offset) in makers:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _unused_name(text: str, base: str) -> str:
    name, number = base, 2
    while name in text:
        name = f"{base}_{number}"
        number += 1
    return name


def block_fix(
    text: str, tree: ast.Module | None, lines: list[str], finding: Finding, findings: list[Finding]
) -> CodeFix | None:
    if tree is None or finding.code == "AG301" or not finding.fix.get("awaitable") or "misuse" in finding.fix:
        return None
    function = _function_at(tree, finding.span.line)
    if function is None:
        return None
    # The innermost statement list holding the call, and every awaitable finding beside it.
    holder: list[ast.stmt] | None = None
    for body in _statement_lists(function):
        if any(_contains(stmt, finding.span.line) for stmt in body):
            holder = body
    if holder is None:
        return None
    related = [
        f
        for f in findings
        if f.function == finding.function
        and f.fix.get("awaitable")
        and "misuse" not in f.fix
        and f.code != "AG301"
    ]
    indexes = sorted({i for i, stmt in enumerate(holder) for f in related if _contains(stmt, f.span.line)})
    if not indexes:
        return None
    end = indexes[-1]
    if finding.fix.get("thread_bound"):
        # Objects bound to their thread (sqlite3 connections, cursors) must not escape the
        # block: it runs to the last statement that still uses one of them.
        bound = _thread_bound_names([holder[i] for i in indexes], related)
        for index in range(end + 1, len(holder)):
            if any(isinstance(n, ast.Name) and n.id in bound for n in _frame_walk([holder[index]])):
                end = index
    run = holder[indexes[0] : end + 1]
    if any(isinstance(node, _STOPPERS) for node in _frame_walk(run)):
        return None
    first, last = run[0].lineno, run[-1].end_lineno or run[-1].lineno
    if _multiline_strings(text) & set(range(first, last + 1)):
        return None  # re-indenting would change a string's contents
    stored = _stored(run)
    before = {
        node.id
        for stmt in holder[: indexes[0]]
        for node in _frame_walk([stmt])
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    } | {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
    augmented = {
        node.target.id
        for node in _frame_walk(run)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)
    }
    if augmented & before:
        return None  # the local function would read a name it also assigns: UnboundLocalError
    returned = [name for name in stored if name in _loaded_after(function, last)]
    indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]
    helper = _unused_name(text, "_blocking_io")
    to_thread = imports.asyncio_attr(tree, lines, "to_thread")
    body = ["    " + line if line.strip() else line for line in lines[first - 1 : last]]
    new = [f"{indent}def {helper}():", *body]
    if returned:
        new.append(f"{indent}    return {', '.join(returned)}")
        targets = returned[0] if len(returned) == 1 else ", ".join(returned)
        new.append(f"{indent}{targets} = await {to_thread.text}({helper})")
    else:
        new.append(f"{indent}await {to_thread.text}({helper})")
    span = Span(first, 0, last, len(lines[last - 1]))
    edits = [TextEdit(span, "\n".join(new))]
    if to_thread.edit:
        edits.append(to_thread.edit)
    count = len([f for f in related if first <= f.span.line <= last])
    if count < 2 and not finding.fix.get("thread_bound") and not isinstance(run[0], ast.With):
        return None  # one plain call: the wrap fix says the same with less
    title = f"Run this block in a thread ({count} blocking call{'s' if count != 1 else ''}, one await)"
    return CodeFix(title, edits, codes=(finding.code,))
