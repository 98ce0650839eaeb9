"""The one Finding type every output (text, JSON, SARIF, LSP) is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .positions import Span
from .rules import BY_CODE


@dataclass(frozen=True)
class Hop:
    """One call on the way from the async function to the blocking call."""

    path: str
    span: Span  # the callee expression of the call at this hop
    callee: str  # what this call calls (the helper's name, or the catalog target at the end)
    function: str  # the function the call sits in

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "span": self.span.to_dict(),
            "callee": self.callee,
            "function": self.function,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hop:
        return cls(data["path"], Span.from_dict(data["span"]), data["callee"], data["function"])


@dataclass
class Finding:
    path: str
    span: Span  # the whole call
    func_span: Span  # the callee expression: where the squiggle goes
    code: str
    category: str
    severity: str
    message: str
    target: str  # resolved full name of what blocks (the catalog name at the chain's end)
    reason: str
    alternative: str
    function: str  # qualname of the async function the call runs in
    route: str | None = None
    # Every hop from this call site down to the blocking call; empty for direct calls.
    chain: list[Hop] = field(default_factory=list)
    cached: bool = False
    # Inputs the fixes need, so fixing never re-analyses (see fixes/).
    fix: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self):  # type: ignore[no-untyped-def]
        return BY_CODE[self.code]

    @property
    def callee(self) -> str:
        """What the flagged call calls: the target, or the first helper of a chain."""
        return self.chain[0].callee if self.chain else self.target

    def sort_key(self) -> tuple[str, int, int, str, int, int]:
        return (self.path, self.span.line, self.span.col, self.code, self.span.end_line, self.span.end_col)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "span": self.span.to_dict(),
            "func_span": self.func_span.to_dict(),
            "code": self.code,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "target": self.target,
            "reason": self.reason,
            "alternative": self.alternative,
            "function": self.function,
            "route": self.route,
            "chain": [hop.to_dict() for hop in self.chain],
            "cached": self.cached,
            "fix": self.fix,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            path=data["path"],
            span=Span.from_dict(data["span"]),
            func_span=Span.from_dict(data["func_span"]),
            code=data["code"],
            category=data["category"],
            severity=data["severity"],
            message=data["message"],
            target=data["target"],
            reason=data["reason"],
            alternative=data["alternative"],
            function=data["function"],
            route=data.get("route"),
            chain=[Hop.from_dict(h) for h in data.get("chain", [])],
            cached=data.get("cached", False),
            fix=data.get("fix", {}),
        )
