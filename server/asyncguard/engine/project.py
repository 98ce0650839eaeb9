"""The workspace: which Python files belong to it, their module names, and their models."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .source import SourceError, read_source

if TYPE_CHECKING:
    from .model import ModuleInfo
    from .parsing import ChunkCache

SKIP_DIRS = frozenset(
    {
        ".venv",
        "venv",
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".asyncguard_cache",
        "site-packages",
        "build",
        "dist",
        ".eggs",
    }
)

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"os", "sys", "time", "logging"}


def is_environment_dir(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir()


def git_ignored(root: Path, paths: list[Path]) -> set[Path]:
    """Paths that git ignores, or an empty set when git or the repository is unavailable."""
    if not paths or not (root / ".git").exists():
        return set()
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--stdin", "-z"],
            input="\0".join(str(p) for p in paths).encode(),
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    return {Path(p) for p in result.stdout.decode(errors="replace").split("\0") if p}


def discover_files(
    targets: Iterable[Path], root: Path, exclude: Iterable[str] = ()
) -> tuple[list[Path], list[str]]:
    """Python files under the targets, skipping environments, caches and git-ignored files.

    Returns the files and one-line errors for targets that do not exist.
    """
    excludes = list(exclude)
    found: list[Path] = []
    errors: list[str] = []
    # A file reached twice (through a symlink, or by overlapping targets) is one file: its
    # device and inode say so with one stat, where resolving the path costs one per component.
    seen: set[tuple[int, int] | Path] = set()

    def first_time(path: Path) -> bool:
        key: tuple[int, int] | Path
        try:
            stat = os.stat(path)
            key = (stat.st_dev, stat.st_ino)
        except OSError:
            key = path  # kept, so that reading it reports why it cannot be read
        if key in seen:
            return False
        seen.add(key)
        return True

    for target in targets:
        if not target.exists():
            errors.append(f"{target}: no such file or directory")
            continue
        if target.is_file():
            if first_time(target):
                found.append(target.absolute())
            continue
        found.extend(path for path in _walk(target, excludes, root) if first_time(path))
    ignored = git_ignored(root, found)
    if ignored:
        found = [p for p in found if p not in ignored]
    return found, errors


def _excluded(path: Path, root: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(
        fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p.rstrip("/") + "/*") for p in patterns
    )


def _walk(top: Path, excludes: list[str], root: Path) -> Iterator[Path]:
    top = top.absolute()
    visited: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        current = Path(dirpath)
        try:
            stat = current.stat()
        except OSError:
            dirnames[:] = []
            continue
        # Symlink loops: each real directory is walked once.
        key = (stat.st_dev, stat.st_ino)
        if key in visited:
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS
            and not d.endswith(".egg-info")
            and not is_environment_dir(current / d)
            and not _excluded(current / d, root, excludes)
        )
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = current / name
                if not _excluded(path, root, excludes):
                    yield path


def module_names_for(path: Path, root: Path) -> list[str]:
    """Every dotted name the file could be imported by, most specific first.

    The package name found through __init__.py files comes first; then the name relative to
    the project root and to 'src/', which covers namespace-package layouts.
    """
    names: list[str] = []
    stem = path.stem
    parts = [] if stem == "__init__" else [stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory != directory.parent:
        parts.insert(0, directory.name)
        directory = directory.parent
    # A bare file name only stands for a module that sits in a package, or at a source root:
    # 'files' must not mean routers/files.py, models/files.py and utils/files.py at once.
    if parts and (len(parts) > 1 or path.parent in (root, root / "src")):
        names.append(".".join(parts))
    for base in (root / "src", root):
        try:
            relative = path.relative_to(base).with_suffix("")
        except ValueError:
            continue
        pieces = list(relative.parts)
        if pieces and pieces[-1] == "__init__":
            pieces.pop()
        if pieces:
            name = ".".join(pieces)
            if name not in names:
                # A folder without __init__.py inside a regular package is a namespace portion
                # of it ('pkg/hooks/custom/' with pkg/__init__.py): the module is imported by its
                # full name, and its short name may well be another module's too.
                if names and (base / pieces[0] / "__init__.py").is_file() and name.endswith("." + names[0]):
                    names.insert(0, name)
                else:
                    names.append(name)
    return names or [stem]


class Project:
    """The workspace's files and the module models built from them (lazily, once each)."""

    def __init__(self, root: Path, files: Iterable[Path] = ()) -> None:
        self.root = root.absolute()
        # Module names are worked out on first use: a run answered from the cache needs none.
        self._unnamed: list[Path] = []
        self._by_name_index: dict[str, Path] = {}
        self._names_index: dict[Path, str] = {}
        self._members: set[Path] = set()
        self._modules: dict[Path, ModuleInfo | None] = {}
        self._errors: dict[Path, str] = {}
        # Open editor buffers win over the disk.
        self._overlays: dict[Path, str] = {}
        self._chunks: dict[Path, ChunkCache] = {}
        self._texts: dict[Path, str] = {}
        self._markers_cache: dict[tuple[Path, tuple[str, ...]], bool] = {}
        self._markers: dict[Path, set[tuple[str, ...]]] = {}
        # Every module looked up while a recorder is active is added to it: what a piece of
        # analysis depended on.
        self._recorders: list[set[str]] = []
        self._paused = 0
        self._beyond: dict[str, Path | None] = {}
        self.files: list[Path] = []
        for path in files:
            self.add_file(path)

    # ---- membership -------------------------------------------------------------------
    def add_file(self, path: Path) -> None:
        path = path.absolute()
        if path in self._members:
            return
        self._members.add(path)
        self.files.append(path)
        self._unnamed.append(path)
        self._beyond.clear()

    def _name_all(self) -> None:
        # In the order files were added: the first file to claim a name keeps it.
        for path in self._unnamed:
            names = module_names_for(path, self.root)
            self._names_index[path] = names[0]
            for name in names:
                self._by_name_index.setdefault(name, path)
        self._unnamed.clear()

    @property
    def _names(self) -> dict[Path, str]:
        if self._unnamed:
            self._name_all()
        return self._names_index

    @property
    def _by_name(self) -> dict[str, Path]:
        if self._unnamed:
            self._name_all()
        return self._by_name_index

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the paths of the modules looked up inside the block (nested blocks too)."""
        touched: set[str] = set()
        self._recorders.append(touched)
        try:
            yield touched
        finally:
            # Blocks nest, so the innermost recorder is always the last one.
            self._recorders.pop()
            if self._recorders:
                self._recorders[-1].update(touched)

    def note_dependencies(self, paths: Iterable[str]) -> None:
        """Record modules looked up earlier on behalf of the current block."""
        if self._recorders and not self._paused:
            self._recorders[-1].update(paths)

    @contextmanager
    def not_recording(self) -> Iterator[None]:
        """Look-ups that scan the whole project (entry points) are not dependencies."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    def contains(self, path: str | Path) -> bool:
        candidate = Path(path).absolute()
        if candidate in self._members:
            return True
        try:
            relative = candidate.relative_to(self.root)
        except ValueError:
            return False
        return not any(part in SKIP_DIRS for part in relative.parts)

    def module_name(self, path: Path) -> str:
        path = path.absolute()
        if path not in self._names:
            return module_names_for(path, self.root)[0]
        return self._names[path]

    def path_for_module(self, name: str) -> Path | None:
        path = self._by_name.get(name)
        if path is not None or name.split(".")[0] in _STDLIB:
            return path
        if "." in name:
            # Namespace layouts run from a sub-folder: 'app.db' may be 'backend.app.db' here.
            suffix = "." + name
            matches = {p for n, p in self._by_name.items() if n.endswith(suffix)}
            if matches:
                return matches.pop() if len(matches) == 1 else None
        return self._beyond_targets(name)

    def _beyond_targets(self, name: str) -> Path | None:
        """A module of the project outside the files being checked ('asyncguard check app/api'
        importing app.services): its helpers are followed as jedi would find them."""
        if name in self._beyond:
            return self._beyond[name]
        found: Path | None = None
        for base in (self.root, self.root / "src"):
            stem = base.joinpath(*name.split("."))
            for candidate in (stem.parent / f"{stem.name}.py", stem / "__init__.py"):
                if candidate.is_file() and self.contains(candidate):
                    found = candidate
                    break
            if found is not None:
                break
        self._beyond[name] = found
        return found

    # ---- models -------------------------------------------------------------------------
    def set_overlay(self, path: Path, text: str | None) -> bool:
        """Use an editor buffer instead of the file (None: the file again). Returns whether the
        module's text changed."""
        path = path.absolute()
        current = self._modules.get(path)
        if text is not None and current is not None and current.text == text:
            self._overlays[path] = text
            return False
        if text is None:
            self._overlays.pop(path, None)
            self._chunks.pop(path, None)
        else:
            self._overlays[path] = text
        self._modules.pop(path, None)
        self._errors.pop(path, None)
        self._markers.pop(path, None)
        if text is not None:
            self.add_file(path)
        return True

    def mentions(self, path: Path, markers: tuple[str, ...]) -> bool:
        """Does the file's text contain any of the markers? (cached until the file changes)"""
        path = path.absolute()
        key = (path, markers)
        if key not in self._markers_cache:
            module = self._modules.get(path)
            try:
                text = module.text if module is not None else self.text(path)
            except SourceError:
                text = ""
            self._markers_cache[key] = any(marker in text for marker in markers)
            self._markers.setdefault(path, set()).add(markers)
        return self._markers_cache[key]

    def invalidate(self, path: Path) -> None:
        path = path.absolute()
        self._texts.pop(path, None)
        for markers in self._markers.pop(path, ()):
            self._markers_cache.pop((path, markers), None)
        self._modules.pop(path, None)
        self._errors.pop(path, None)
        # A file created or deleted may be what a name outside the checked files stands for.
        self._beyond.clear()

    def text(self, path: Path) -> str:
        path = path.absolute()
        if path in self._overlays:
            return self._overlays[path]
        if path in self._texts:
            return self._texts[path]
        return read_source(path).text

    def remember_text(self, path: Path, text: str) -> None:
        """The file's text as already read (a whole-program run reads each file once)."""
        self._texts[path.absolute()] = text

    def module(self, path: Path) -> ModuleInfo | None:
        """The model of a workspace file, or None when it cannot be read (see error())."""
        path = path.absolute()
        if self._recorders and not self._paused:
            self._recorders[-1].add(str(path))
        if path in self._modules:
            return self._modules[path]
        try:
            text = self.text(path)
        except SourceError as exc:
            self._errors[path] = str(exc)
            self._modules[path] = None
            return None
        # Open documents change a line at a time: reuse the unchanged statements.
        previous = self._chunks.get(path) if path in self._overlays else None
        from .model import build_module  # not needed by a run the cache answers

        info = build_module(str(path), self.module_name(path), text, previous)
        if path in self._overlays and info.chunks is not None:
            self._chunks[path] = info.chunks
        self._modules[path] = info
        return info

    def error(self, path: Path) -> str | None:
        return self._errors.get(path.absolute())

    def module_for_name(self, name: str) -> ModuleInfo | None:
        path = self.path_for_module(name)
        return self.module(path) if path is not None else None
