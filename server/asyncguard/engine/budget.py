"""A time budget for single jedi queries.

jedi occasionally spends seconds on one call. It is pure Python, so a watchdog thread can
interrupt the query by raising an exception inside the querying thread; the caller then treats
the call as unresolved (never as a finding).
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
        self._active: dict[int, tuple[float, int]] = {}
        self._token = 0
        self._watchdog: threading.Thread | None = None

    def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self.seconds:
            return func(*args, **kwargs)
        ident = threading.get_ident()
        with self._cond:
            self._token += 1
            self._active[ident] = (time.monotonic() + self.seconds, self._token)
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
        while True:
            with self._cond:
                now = time.monotonic()
                frames = sys._current_frames()
                for ident, (deadline, _token) in list(self._active.items()):
                    if deadline <= now and not _talking_to_helper(frames.get(ident)):
                        # Removed under the lock, so a finished query can never be hit later.
                        del self._active[ident]
                        self.exceeded += 1
                        _set_async_exc(ident, BudgetExceeded)
                timeout = min((d for d, _ in self._active.values()), default=now + 60) - now
                self._cond.wait(timeout=max(0.01, timeout))
