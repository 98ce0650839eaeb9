"""How jedi and parso are set up for this engine: which of jedi's searches are off, how long
parso keeps its trees, how its trees share their strings, and a faster way to find the name a
query points at. Imported once, before any query."""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
from typing import Any

import jedi
import parso.cache
import parso.python.parser
from parso.python.tree import PythonMixin
from parso.tree import Leaf

# Inferring a parameter from every call of its function across the project is what makes jedi
# slow on large code bases (minutes on a real application); annotations and the local
# inference cover the cases that matter, so that search is off.
jedi.settings.dynamic_params = False
jedi.settings.dynamic_params_for_other_modules = False
jedi.settings.dynamic_array_additions = False

# parso empties its tree cache of every entry unused for ten minutes once it holds 600 files,
# and a tree loaded from its disk cache counts as last used when it was first parsed: on a
# project of more than 600 modules, trees that a live inference state still points to vanish,
# and jedi's next lookup in them fails with a KeyError (the query is lost). The states we keep
# are what bounds memory, so the cache is never emptied under them.
parso.cache._CACHED_SIZE_TRIGGER = 1_000_000

# parso keeps a pickle of each parsed module on disk, shared by every process of the user
# (our workers, other jedi-based tools). It writes the file in place, so a process reading it
# at the same moment got half a pickle: jedi's query failed with EOFError and its answer was
# lost (seen with two workers on an empty cache). Writes now go to a temporary file renamed
# into place, and a pickle that cannot be read (truncated by a killed writer, or by another
# tool) is a cache miss: the module is parsed again.
_load_pickled = getattr(parso.cache, "_load_from_file_system", None)


def _save_atomically(hashed_grammar: str, path: Any, item: Any, cache_path: Any = None) -> None:
    target = parso.cache._get_hashed_path(hashed_grammar, path, cache_path=cache_path)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".asyncguard-")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(item, stream, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _load_or_miss(hashed_grammar: str, path: Any, p_time: float, cache_path: Any = None) -> Any:
    try:
        return _load_pickled(hashed_grammar, path, p_time, cache_path=cache_path)  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - any unreadable pickle (EOFError, UnpicklingError, ...)
        return None


if _load_pickled is not None and hasattr(parso.cache, "_get_hashed_path"):  # parso 0.8's layout
    parso.cache._save_to_file_system = _save_atomically
    parso.cache._load_from_file_system = _load_or_miss


def _name_of_position(node: Any, position: tuple[int, int]) -> Any:
    """The first name leaf whose span contains 'position', as parso's own lookup returns it,
    without visiting what lies wholly before or after the position. parso walks every node
    up to the position: each query on a line near the end of a 6,000-line module visited the
    whole module, which made this lookup a tenth of a cold run."""
    children = node.children
    # Children are in source order, so their ends are too: skip those that end before it
    # (a binary search by hand: bisect's key= needs Python 3.10, the server runs on 3.9).
    low, high = 0, len(children)
    while low < high:
        middle = (low + high) // 2
        if children[middle].end_pos < position:
            low = middle + 1
        else:
            high = middle
    for child in children[low:]:
        if child.start_pos > position:
            return None  # nothing further can contain it
        if isinstance(child, Leaf):
            if child.type == "name":
                return child
        else:
            found = _name_of_position(child, position)
            if found is not None:
                return found
    return None


PythonMixin.get_name_of_position = _name_of_position  # type: ignore[method-assign]


# A tree holds one string object per leaf for its text and one for the whitespace and comments
# before it: on a real application's libraries that was a million strings (60 MB of 330 MB of
# trees) for some sixty thousand distinct ones ('self', '(', a newline and four spaces). Short
# ones are shared; long ones (docstrings, comment blocks) are nearly all unique. Shared strings
# also make parso's pickles smaller and quicker to write: pickle writes a repeated object once.
_SHARED_UP_TO = 40
_convert_leaf = parso.python.parser.Parser.convert_leaf


def _convert_leaf_sharing(self: Any, type: Any, value: str, prefix: str, start_pos: tuple[int, int]) -> Any:
    if len(value) <= _SHARED_UP_TO:
        value = sys.intern(value)
    if len(prefix) <= _SHARED_UP_TO:
        prefix = sys.intern(prefix)
    return _convert_leaf(self, type, value, prefix, start_pos)


parso.python.parser.Parser.convert_leaf = _convert_leaf_sharing  # type: ignore[method-assign]
