"""Child iteration over Python syntax trees, for the walks every model and scan makes.

`ast.iter_child_nodes` goes through two generators per node and also yields each name's
load/store context and each operator, none of which any of our walks looks at. On a large
application the walks made up most of the time spent building models, so these skip both
and read each node class's fields with one getter made once per class.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterator
from operator import attrgetter

# Fields that only ever hold an expression context or an operator.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})

# Per node class: one C-level call that reads every field that may hold nodes.
_READERS: dict[type, Callable[[ast.AST], tuple[object, ...]]] = {}


def _reader(cls: type) -> Callable[[ast.AST], tuple[object, ...]]:
    fields = [name for name in getattr(cls, "_fields", ()) if name not in _LEAF_FIELDS]
    reader: Callable[[ast.AST], tuple[object, ...]]
    if not fields:
        reader = _no_fields
    elif len(fields) == 1:
        one = attrgetter(fields[0])
        reader = lambda node: (one(node),)  # noqa: E731 - a closure per class, made once
    else:
        reader = attrgetter(*fields)
    _READERS[cls] = reader
    return reader


def _no_fields(node: ast.AST) -> tuple[object, ...]:
    return ()


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The direct children of a node, in field order (contexts and operators left out)."""
    read = _READERS.get(node.__class__) or _reader(node.__class__)
    try:
        values = read(node)
    except AttributeError:
        # A node built by hand without its optional fields.
        values = tuple(getattr(node, name, None) for name in node._fields if name not in _LEAF_FIELDS)
    children: list[ast.AST] = []
    for value in values:
        if value.__class__ is list:
            children.extend([item for item in value if isinstance(item, ast.AST)])  # type: ignore[attr-defined]
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """'node' and every node under it, breadth first like `ast.walk` (contexts and operators
    left out)."""
    todo = deque([node])
    while todo:
        current = todo.popleft()
        todo.extend(child_nodes(current))
        yield current
