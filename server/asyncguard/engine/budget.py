"""A time budget for single jedi queries.

jedi occasionally spends seconds on one call. It is pure Python, so a watchdog thread can
interrupt the query by raising an exception inside the querying thread; the caller then treats
the call as unresolved (never as a finding).

The budget counts the querying thread's own CPU time where the platform can tell: with wall
time, a query near the budget was cut off or not depending on what else the machine was doing
(two workers and a CI job on two cores), so the same code gave different chains from one run to
the next. A query that waits rather than computes still ends at twice the budget in wall time.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


class BudgetExceeded(Exception):
    pass


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)


def _talking_to_helper(frame: FrameType | None) -> bool:
    """Is the thread in the middle of a message to jedi's helper process? Interrupting it there
    would leave the pipe half read; the check is made again a moment later."""
    while frame is not None:
        if "compiled/subprocess" in frame.f_code.co_filename.replace("\\", "/"):
            return True
        frame = frame.f_back
    return False


class Budget:
    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.exceeded = 0
        self._cond = threading.Condition()
        # Per querying thread: wall deadline, token, its CPU clock (or None) and CPU time at start.
        self._active: dict[int, tuple[float, int, int | None, float]] = {}
        self._token = 0
        self._watchdog: threading.Thread | None = None

    def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self.seconds:
            return func(*args, **kwargs)
        ident = threading.get_ident()
        with self._cond:
            self._token += 1
            clock = _cpu_clock(ident)
            started = _cpu_time(clock) if clock is not None else 0.0
            deadline = time.monotonic() + self.seconds * (_WALL_FACTOR if clock is not None else 1)
            self._active[ident] = (deadline, self._token, clock, started)
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch, name="asyncguard-budget", daemon=True)
                self._watchdog.start()
            self._cond.notify()
        try:
            return func(*args, **kwargs)
        finally:
            with self._cond:
                self._active.pop(ident, None)

    def _watch(self) -> None:
        seconds = self.seconds or 0.0
        while True:
            with self._cond:
                now = time.monotonic()
                frames = sys._current_frames()
                wake = now + 60
                for ident, (deadline, _token, clock, started) in list(self._active.items()):
                    # CPU time cannot run faster than the wall clock: what is left of the budget
                    # is the soonest it can be spent.
                    left = deadline - now
                    if clock is not None:
                        used = _cpu_time(clock, fallback=float("inf"))
                        left = min(left, seconds - (used - started))
                    if left <= 0 and not _talking_to_helper(frames.get(ident)):
                        # Removed under the lock, so a finished query can never be hit later.
                        del self._active[ident]
                        self.exceeded += 1
                        _set_async_exc(ident, BudgetExceeded)
                        continue
                    wake = min(wake, now + max(left, 0.01))
                self._cond.wait(timeout=max(0.01, wake - now))


# How much longer than the CPU budget a query may take in wall time (waiting on jedi's helper
# process, or on a busy machine) before it is cut off anyway.
_WALL_FACTOR = 2


def _cpu_clock(ident: int) -> int | None:
    """The CPU-time clock of a thread, where the platform has one (Linux, most Unixes)."""
    getter = getattr(time, "pthread_getcpuclockid", None)
    if getter is None:
        return None
    try:
        clock = getter(ident)
        time.clock_gettime(clock)
    except (OSError, OverflowError, ValueError):
        return None
    return clock


def _cpu_time(clock: int, fallback: float = 0.0) -> float:
    try:
        return time.clock_gettime(clock)
    except OSError:
        return fallback
