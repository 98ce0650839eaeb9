"""Project-wide index of entry points, and which coroutines each one reaches."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from .entrypoints import ENTRY_MARKERS, EntryPoint, module_entry_points
from .model import ModuleInfo
from .project import Project
from .resolve import FunctionRef, Resolver


class EntryIndex:
    def __init__(self, project: Project, resolver: Resolver) -> None:
        self.project = project
        self.resolver = resolver
        self._entries: dict[FunctionRef, EntryPoint] | None = None
        self._reached: dict[FunctionRef, EntryPoint] | None = None
        # Per-module scan results, reused while the module's model is the same object.
        self._scans: dict[str, tuple[ModuleInfo, dict[str, EntryPoint], list[tuple[str, str, str]]]] = {}

    def invalidate(self) -> None:
        self._entries = None
        self._reached = None

    # ---- entry points -------------------------------------------------------------------
    @property
    def entries(self) -> dict[FunctionRef, EntryPoint]:
        if self._entries is None:
            with self.project.not_recording():
                self._entries = self._scan()
        return self._entries

    def _scan(self) -> dict[FunctionRef, EntryPoint]:
        entries: dict[FunctionRef, EntryPoint] = {}
        for path in list(self.project.files):
            if not self.project.mentions(path, ENTRY_MARKERS):
                continue
            module = self.project.module(path)
            if module is None:
                continue
            cached = self._scans.get(module.path)
            if cached is not None and cached[0] is module:
                found, references = cached[1], cached[2]
            else:
                found, references = module_entry_points(module, self.resolver.resolve_dotted)
                self._scans[module.path] = (module, found, references)
            for qualname, entry in found.items():
                entries.setdefault(FunctionRef(module.path, qualname), entry)
            for dotted, kind, label in references:
                ref = self._function_named(module, dotted)
                if ref is not None and ref not in entries:
                    entries[ref] = EntryPoint(kind, label, ref.path, ref.qualname)
        return entries

    def _function_named(self, module: ModuleInfo, dotted: str) -> FunctionRef | None:
        if dotted in module.functions:
            return FunctionRef(module.path, dotted)
        full = self.resolver.resolve_dotted(module, dotted)
        if full is None:
            return None
        resolution = self.resolver.classify(full, via="imports")
        if resolution.kind == "workspace" and resolution.function is not None and not resolution.constructs:
            return resolution.function
        return None

    def entry(self, ref: FunctionRef) -> EntryPoint | None:
        return self.entries.get(ref)

    # ---- reach from entry points --------------------------------------------------------
    def reached_from(self, ref: FunctionRef) -> EntryPoint | None:
        """The entry point whose coroutine calls (transitively) reach this coroutine."""
        if self._reached is None:
            # The walk crosses every route of the project: it uses what resolves without jedi,
            # so that opening one file never waits for inference across the whole workspace.
            with self.project.not_recording(), self.resolver.cheap_only():
                self._reached = self._walk()
        return self._reached.get(ref)

    def _walk(self) -> dict[FunctionRef, EntryPoint]:
        reached: dict[FunctionRef, EntryPoint] = {}
        queue: deque[tuple[FunctionRef, EntryPoint]] = deque()
        for ref, entry in self.entries.items():
            reached[ref] = entry
            queue.append((ref, entry))
        while queue:
            ref, entry = queue.popleft()
            module = self.project.module(Path(ref.path))
            function = module.functions.get(ref.qualname) if module else None
            if module is None or function is None or not function.is_async:
                continue
            for site in function.calls:
                resolution = self.resolver.resolve_call(module, function, site)
                callee = resolution.function
                if resolution.kind != "workspace" or callee is None or callee in reached:
                    continue
                target = self.project.module(Path(callee.path))
                info = target.functions.get(callee.qualname) if target else None
                if info is not None and info.is_async:
                    reached[callee] = entry
                    queue.append((callee, entry))
        return reached
