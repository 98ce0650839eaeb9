"""Find the project's Python environment, the one whose packages jedi must see.

Order: an explicit path (--python / the 'python' setting), then $VIRTUAL_ENV, then .venv/ or
venv/ at the project root, then the interpreter running asyncguard.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


class PythonEnvironmentError(Exception):
    """The named environment is unusable; the message is one line for the user."""


@dataclass(frozen=True)
class EnvironmentChoice:
    # A venv folder or an interpreter path; None for the running interpreter.
    path: Path | None
    origin: str  # 'explicit', 'VIRTUAL_ENV', '.venv', 'venv', 'running interpreter'

    def describe(self) -> str:
        if self.path is None:
            return f"the running interpreter ({sys.executable})"
        return f"{self.path} ({self.origin})"


def _interpreter_in(folder: Path) -> Path | None:
    for candidate in ("bin/python", "bin/python3", "Scripts/python.exe"):
        path = folder / candidate
        if path.exists():
            return path
    return None


def choose_environment(root: Path, explicit: str | None = None) -> EnvironmentChoice:
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_absolute():
            path = (root / path).absolute()
        if not path.exists():
            where = "" if Path(explicit).expanduser().is_absolute() else f" (looked for {path})"
            raise PythonEnvironmentError(f"python environment {explicit!r} does not exist{where}")
        if path.is_dir() and _interpreter_in(path) is None:
            raise PythonEnvironmentError(f"{explicit!r} is not a virtual environment (no bin/python in it)")
        return EnvironmentChoice(path, "explicit")
    virtual_env = os.environ.get("VIRTUAL_ENV")
    if virtual_env and _interpreter_in(Path(virtual_env)) is not None:
        return EnvironmentChoice(Path(virtual_env), "VIRTUAL_ENV")
    for name in (".venv", "venv"):
        folder = root / name
        if folder.is_dir() and _interpreter_in(folder) is not None:
            return EnvironmentChoice(folder, name)
    return EnvironmentChoice(None, "running interpreter")


def fingerprint(choice: EnvironmentChoice) -> str:
    """Stands for the installed packages, without starting the interpreter: installing or
    removing a package changes its site-packages folder's modification time."""
    if choice.path is None or _same_prefix(choice.path):
        folders = [p for p in sys.path if p]
    else:
        base = choice.path if choice.path.is_dir() else choice.path.parent.parent
        folders = [str(p) for p in sorted(base.glob("lib/python*/site-packages"))]
        folders += [str(p) for p in sorted(base.glob("Lib/site-packages"))]
        folders.append(str(base / "pyvenv.cfg"))
    parts = []
    for folder in folders:
        try:
            parts.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
        except OSError:
            parts.append(f"{folder}:-")
    return "|".join(parts)


def _same_prefix(target: Path) -> bool:
    folder = target if target.is_dir() else target.parent.parent
    try:
        return folder.resolve() == Path(sys.prefix).resolve()
    except OSError:
        return False


_cache: dict[str, object] = {}
_lock = threading.Lock()


def jedi_environment(choice: EnvironmentChoice) -> object:
    """A jedi environment for the choice, created once per path (it spawns a subprocess)."""
    import jedi  # here, not at the top: a cached run never needs it
    from jedi.api.environment import SameEnvironment

    key = str(choice.path) if choice.path else sys.executable
    with _lock:
        if key in _cache:
            return _cache[key]
        target = choice.path
        if target is None or _same_prefix(target):
            # Our own interpreter: no need to start one just to ask for its sys.path.
            environment = SameEnvironment()
            _cache[key] = environment
            return environment
        if target.is_dir():
            target = _interpreter_in(target) or target
        try:
            environment = jedi.create_environment(str(target), safe=False)
            environment.get_sys_path()  # fail now, with a clear message, not mid-analysis
        except Exception as exc:  # noqa: BLE001 - jedi reports a broken interpreter in many ways
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PythonEnvironmentError(
                f"python environment {choice.describe()} is broken: {reason}"
            ) from None
        _cache[key] = environment
        return environment
