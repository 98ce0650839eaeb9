"""'# asyncguard: ignore' comments: which codes a line silences.

On a coroutine's line the comment hides that finding. On a helper's line it says the call is
accepted there, so no finding is drawn through it either."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import ModuleInfo

_IGNORE = re.compile(r"#\s*asyncguard:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?", re.I)


def suppressed_codes(comment: str) -> set[str] | None:
    """None when nothing is suppressed; an empty set means every code."""
    match = _IGNORE.search(comment)
    if match is None:
        return None
    if match.group(1) is None:
        return set()
    return {c.strip().upper() for c in match.group(1).split(",") if c.strip()}


def is_suppressed(module: ModuleInfo, lines: Iterable[int], code: str) -> bool:
    for line in lines:
        comment = module.comments.get(line)
        if comment is None:
            continue
        codes = suppressed_codes(comment)
        if codes is not None and (not codes or code in codes):
            return True
    return False
