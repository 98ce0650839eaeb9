"""isinstance() guards: a receiver checked to be a builtin value where a call runs.

`if isinstance(item, dict): item.get("id")` cannot be a blocking client's `.get`, whatever
`item` was bound to; neither can `isinstance(m, dict) and m.get("role")`, the element of a
comprehension filtered by such a check, nor a call after `if not isinstance(x, dict): continue`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache

from .walk import child_nodes, walk

# Builtin and typing names whose instances have no blocking methods.
_DATA_TYPES = frozenset(
    {
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "str",
        "bytes",
        "bytearray",
        "int",
        "float",
        "bool",
        "Mapping",
        "MutableMapping",
        "Sequence",
        "MutableSequence",
        "Dict",
        "List",
        "Tuple",
        "Set",
        "OrderedDict",
        "defaultdict",
    }
)

# Statements after which the rest of the block does not run.
_EXITS = (ast.Return, ast.Continue, ast.Break, ast.Raise)


def narrowed_to_data(scope: ast.AST, call: ast.AST, receiver: ast.expr) -> bool:
    """Is 'receiver' known to be a builtin value where 'call' runs, by an isinstance() check
    between 'scope' (the enclosing function) and the call?"""
    checked = _checked_in(scope)
    if not checked:
        return False  # nothing in the function checks a receiver (most functions)
    shape = ast.dump(receiver)
    parents = checked.get(shape)
    if parents is None:
        return False
    path = _path_to(parents, call)
    if path is None:
        return False
    root = _root_name(receiver)
    for parent, child in zip(path, path[1:]):
        if (
            isinstance(parent, (ast.If, ast.While))
            and _in(child, parent.body)
            and _guards(parent.test, shape)
        ):
            return True
        if isinstance(parent, ast.IfExp) and child is parent.body and _guards(parent.test, shape):
            return True
        if (
            isinstance(parent, ast.BoolOp)
            and isinstance(parent.op, ast.And)
            and _in(child, parent.values)
            and any(_guards(value, shape) for value in parent.values[: _index(child, parent.values)])
        ):
            return True
        if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            elements = (parent.key, parent.value) if isinstance(parent, ast.DictComp) else (parent.elt,)
            if any(child is e for e in elements) and any(
                _guards(test, shape) for generator in parent.generators for test in generator.ifs
            ):
                return True
        for block in _blocks(parent):
            if _in(child, block) and _exited_unless(block[: _index(child, block)], shape, root):
                return True
    return False


@lru_cache(maxsize=64)
def _checked_in(scope: ast.AST) -> dict[str, dict[int, ast.AST]]:
    """The receivers the function checks with isinstance() against a builtin type, each with
    the function's parent links (one walk per function, shared by all its receivers)."""
    shapes = {
        ast.dump(node.args[0])
        for node in walk(scope)
        if isinstance(node, ast.Call) and _isinstance_of_data(node, None)
    }
    if not shapes:
        return {}
    parents = {id(child): node for node in walk(scope) for child in child_nodes(node)}
    return dict.fromkeys(shapes, parents)


def _path_to(parents: dict[int, ast.AST], target: ast.AST) -> list[ast.AST] | None:
    """From the function down to 'target'."""
    path = [target]
    while id(path[-1]) in parents:
        path.append(parents[id(path[-1])])
    return path[::-1] if len(path) > 1 else None


def _guards(test: ast.expr, shape: str) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_guards(value, shape) for value in test.values)
    return _isinstance_of_data(test, shape)


def _isinstance_of_data(test: ast.expr, shape: str | None) -> bool:
    """'isinstance(<shape>, dict)' (any receiver when 'shape' is None)."""
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and (shape is None or ast.dump(test.args[0]) == shape)
    ):
        return False
    kinds = test.args[1]
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    return bool(names) and all(_type_name(n) in _DATA_TYPES for n in names)


def _type_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block


def _in(child: ast.AST, block: list[ast.stmt] | list[ast.expr]) -> bool:
    return any(child is item for item in block)


def _index(child: ast.AST, block: list[ast.stmt] | list[ast.expr]) -> int:
    return next(i for i, item in enumerate(block) if item is child)


def _exited_unless(before: list[ast.stmt], shape: str, root: str | None) -> bool:
    """'if not isinstance(x, dict): continue' among the statements before, with x not bound
    again after it."""
    for position in range(len(before) - 1, -1, -1):
        stmt = before[position]
        if root is not None and _binds(stmt, root):
            return False
        if (
            isinstance(stmt, ast.If)
            and not stmt.orelse
            and isinstance(stmt.test, ast.UnaryOp)
            and isinstance(stmt.test.op, ast.Not)
            and _isinstance_of_data(stmt.test.operand, shape)
            and isinstance(stmt.body[-1], _EXITS)
        ):
            return True
    return False


def _binds(stmt: ast.stmt, name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
        for node in walk(stmt)
    )


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None
