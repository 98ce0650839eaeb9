"""Fewer garbage collections during a whole-program run.

A cold run creates millions of long-lived objects (syntax trees, jedi's caches) and frees
almost none of them before it ends. With CPython's default thresholds the collector runs
every 700 allocations and keeps walking those survivors: a tenth of a cold run on a large
application, and two thirds of the time spent parsing. Collecting every 20,000 allocations
still frees cycles (peak memory measured unchanged) at a fraction of the cost.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_THRESHOLDS = (20_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
