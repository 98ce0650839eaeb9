"""What a call resolves to: plain data, shared by the resolver, the cache and the analysis."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Match


@dataclass(frozen=True)
class FunctionRef:
    path: str
    qualname: str


@dataclass
class Resolution:
    kind: str  # 'catalog' | 'workspace' | 'other' | 'unknown'
    name: str | None = None
    match: Match | None = None
    function: FunctionRef | None = None
    via: str = "imports"
    # The callee is a class being constructed (its __init__ is the function).
    constructs: bool = False


UNKNOWN = Resolution("unknown")

# (module path, function context key, line relative to the function's top-level statement,
# column, callee text)
CallKey = tuple[str, str, int, int, str]
