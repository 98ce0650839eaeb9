"""Whole-program reach: does a workspace function block, and through which chain?

A sync function blocks when it (or a workspace function it calls, to a depth cap) makes a
blocking call on its own thread. Results are memoized per function; cycles are cut and a result
computed under a cut is not memoized, so a later query from another entry sees the full graph.
When several paths block, the costliest is shown: network or database before filesystem
metadata, uncached before cached.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, Union

from .catalog import Entry, exempt
from .findings import Hop
from .model import CallSite, FunctionInfo, ModuleInfo, dotted_name, frame_nodes
from .project import Project
from .resolve import FunctionRef, Resolution, Resolver
from .rules import CATEGORY_COST, WARNING
from .suppression import is_suppressed

_NO_LOW = 1 << 30

# What is on the analysis stack: a function, a thread lock being checked ('lock', key) or a
# function whose result is being iterated ('lazy', ref).
_Frame = Union[FunctionRef, tuple[str, tuple[str, str]], tuple[str, FunctionRef]]
_T = TypeVar("_T")


def _wrappers(module: ModuleInfo, decorator: FunctionInfo, depth: int = 0) -> list[str]:
    """The sync functions a decorator (or a decorator factory) defines inside itself."""
    found: list[str] = []
    for qualname in decorator.nested.values():
        inner = module.functions.get(qualname)
        if inner is None or inner.is_async:
            continue
        found.append(qualname)
        if depth < 1:
            found.extend(_wrappers(module, inner, depth + 1))
    return found


@dataclass(frozen=True)
class BlockPath:
    hops: tuple[Hop, ...]  # call sites from the function's own call down to the blocking call
    entry: Entry
    target: str
    cached: bool
    # The blocking happens where the first hop's result is iterated (a helper returning a
    # QuerySet or a paginator that its caller loops over), not inside the call itself.
    lazy: bool = False

    def rank(self) -> tuple[int, int, int, int]:
        return (
            0 if self.cached else 1,
            1 if self.entry.severity == WARNING else 0,
            CATEGORY_COST.get(self.entry.category, 0),
            -len(self.hops),
        )


def better(a: BlockPath | None, b: BlockPath | None) -> BlockPath | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.rank() > a.rank() else a


class Reach:
    def __init__(self, project: Project, resolver: Resolver, max_depth: int = 8) -> None:
        self.project = project
        self.resolver = resolver
        self.max_depth = max_depth
        # Property name -> the files defining a getter of that name (a text scan at start).
        self.property_files: dict[str, set[str]] = {}
        # Function name -> the files defining a function of that name in a class or another
        # function (the same scan).
        self.method_files: dict[str, set[str]] = {}
        self._property_verdicts: dict[str, bool] = {}
        self._method_verdicts: dict[str, tuple[bool, frozenset[str]]] = {}
        self._methods_open: set[str] = set()
        self._properties_open: set[str] = set()
        self._memo: dict[tuple[FunctionRef, int], BlockPath | None] = {}
        self._lazy_memo: dict[tuple[FunctionRef, int], BlockPath | None] = {}
        # What is being computed, by depth: functions, and the thread locks being checked.
        self._stack: dict[_Frame, int] = {}
        self._low = _NO_LOW
        self._locks: dict[tuple[str, str], bool] = {}

    def forget(self) -> None:
        self._memo.clear()
        self._lazy_memo.clear()
        self._locks.clear()
        self._property_verdicts.clear()
        self._method_verdicts.clear()

    def property_may_block(self, name: str) -> bool:
        """Could reading '.name' run a workspace getter that blocks? Answered once per name by
        walking every getter of that name, so that the (costly) question of which getter one
        attribute read runs is only asked when the answer can matter."""
        verdict = self._property_verdicts.get(name)
        if verdict is not None:
            return verdict
        if name in self._properties_open:
            # Read again inside a getter of that name ('self.bar.name' in Foo.name): which
            # getter it runs is looked up. A provisional "no" here made Foo.name look harmless
            # for good, though Bar.name, walked after it, blocks.
            return True
        self._properties_open.add(name)
        try:
            verdict, complete = self._walk_name(name, self.property_files, lambda f: f.kind == "property")
        finally:
            self._properties_open.discard(name)
        if verdict or complete:
            self._property_verdicts[name] = verdict
        # Otherwise computed while a caller up the stack was unfinished: asked again next time.
        return verdict

    def method_may_block(self, name: str) -> bool:
        """Could a call ending in '.name(...)' run a workspace function of that name that
        blocks? When the catalog lists no method of that name either, no answer jedi could
        give about such a call leads to a finding, so the resolver asks this first and skips
        the query when no function of that name blocks: about a third of jedi's queries on a
        real application ('filter' because of one logging filter, 'values' because of one
        'def values'). Only a complete walk says no; anything less says 'may'."""
        if name.startswith("__") or self.resolver.resolving_cheaply:
            # Constructors and dunders run on paths of their own; a walk without jedi would
            # not be complete.
            return True
        known = self._method_verdicts.get(name)
        if known is not None:
            # The modules the verdict was drawn from are what the caller's answer depends on,
            # as if it had walked them again (an edit there must invalidate it).
            self.project.note_dependencies(known[1])
            return known[0]
        if name in self._methods_open:
            return True  # asked again while walking its own functions: jedi decides, as before
        self._methods_open.add(name)
        try:
            with self.project.recording() as touched:
                verdict, complete = self._walk_name(name, self.method_files, lambda f: True)
        finally:
            self._methods_open.discard(name)
        if verdict or complete:
            self._method_verdicts[name] = (verdict, frozenset(touched))
            return verdict
        # Walked while a caller up the stack (or a lock check) was unfinished: the walk may
        # have missed a path through it.
        return True

    def _met_on_stack(self, frame: _Frame) -> bool:
        """Is 'frame' still being computed up the stack (a cycle)? Then what is concluded
        below it is provisional: the low mark says so to every frame in between."""
        index = self._stack.get(frame)
        if index is None:
            return False
        self._low = min(self._low, index)
        return True

    def _framed(self, frame: _Frame, compute: Callable[[], _T]) -> tuple[_T, bool]:
        """Run 'compute' with 'frame' on the stack; also whether it completed without meeting
        an unfinished frame above this one (only then may its answer be kept)."""
        index = len(self._stack)
        self._stack[frame] = index
        saved_low, self._low = self._low, _NO_LOW
        try:
            result = compute()
        finally:
            del self._stack[frame]
            subtree_low = self._low
            self._low = min(saved_low, subtree_low)
        return result, subtree_low >= index

    def _walk_name(
        self, name: str, files: dict[str, set[str]], wanted: Callable[[FunctionInfo], bool]
    ) -> tuple[bool, bool]:
        """Does a wanted function of that name block, and was the walk complete (no caller up
        the stack, nor a lock check, left unfinished under it)?"""
        depth = len(self._stack)
        saved_low, self._low = self._low, _NO_LOW
        try:
            verdict = self._any_blocks(name, files, wanted)
        finally:
            complete = self._low >= depth
            self._low = min(saved_low, self._low)
        return verdict, complete

    def _any_blocks(
        self, name: str, files: dict[str, set[str]], wanted: Callable[[FunctionInfo], bool]
    ) -> bool:
        for path in sorted(files.get(name, ())):
            module = self.project.module(Path(path))
            if module is None:
                continue
            for function in module.functions.values():
                if function.name != name or function.is_async or not wanted(function):
                    continue
                if self.blocking(FunctionRef(module.path, function.qualname)) is not None:
                    return True
        return False

    def function(self, ref: FunctionRef) -> tuple[ModuleInfo, FunctionInfo] | None:
        module = self.project.module(Path(ref.path))
        if module is None:
            return None
        function = module.functions.get(ref.qualname)
        if function is None:
            return None
        return module, function

    def display_name(self, ref: FunctionRef) -> str:
        found = self.function(ref)
        if found is None:
            return ref.qualname
        module, function = found
        return f"{module.module_name}.{function.qualname.split('@')[0]}"

    # ---- the query ----------------------------------------------------------------------
    def blocking(self, ref: FunctionRef, remaining: int | None = None) -> BlockPath | None:
        if remaining is None:
            remaining = self.max_depth
        key = (ref, remaining)
        if key in self._memo:
            return self._memo[key]
        if self._met_on_stack(ref):
            return None
        if remaining <= 0:
            return None
        found = self.function(ref)
        if found is None:
            self._memo[key] = None
            return None
        module, function = found
        if function.is_async:
            # Calling a coroutine function only makes a coroutine; its body is analysed on its own.
            self._memo[key] = None
            return None
        best, complete = self._framed(
            ref,
            lambda: better(
                self._own_path(module, function, remaining), self._decorated_path(module, function, remaining)
            ),
        )
        if complete:
            self._memo[key] = best
        return best

    def _own_path(self, module: ModuleInfo, function: FunctionInfo, remaining: int) -> BlockPath | None:
        best: BlockPath | None = None
        for site in function.calls:
            if site.awaited or site.scheduled:
                continue
            resolution = self.resolver.resolve_call(module, function, site)
            best = better(best, self.through(module, function, site.func_span, resolution, remaining, site))
        for load in function.attr_loads:
            if not self.property_may_block(load.attr):
                continue
            resolution = self.resolver.resolve_attribute(module, function, load)
            best = better(best, self.through(module, function, load.span, resolution, remaining))
        return best

    def _decorated_path(self, module: ModuleInfo, function: FunctionInfo, remaining: int) -> BlockPath | None:
        """A call to a decorated function runs the decorator's wrapper first (a @retry that
        sleeps between attempts): the wrapper's own blocking calls count too."""
        best: BlockPath | None = None
        for node in function.node.decorator_list:
            target = node.func if isinstance(node, ast.Call) else node
            dotted = dotted_name(target)
            if dotted is None:
                continue
            full = self.resolver.resolve_dotted(module, dotted)
            found = self.resolver.workspace_object(full) if full else None
            if found is None or found[1] not in found[0].functions:
                continue
            decorator_module, decorator_name = found
            for wrapper in _wrappers(decorator_module, decorator_module.functions[decorator_name]):
                sub = self.blocking(FunctionRef(decorator_module.path, wrapper), remaining - 1)
                if sub is not None:
                    hop = Hop(
                        module.path,
                        module.index.span(node),
                        f"{decorator_module.module_name}.{decorator_name}",
                        function.qualname,
                    )
                    best = better(best, BlockPath((hop, *sub.hops), sub.entry, sub.target, sub.cached))
        return best

    def through(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        span,  # type: ignore[no-untyped-def]
        resolution: Resolution,
        remaining: int,
        site: CallSite | None = None,
    ) -> BlockPath | None:
        """The blocking path of one call (or property read) made by 'function'."""
        if resolution.kind == "catalog" and resolution.match is not None:
            if not self.catalog_call_blocks(module, function, resolution, site):
                return None
            if _accepted(module, function, site, resolution.match.entry.code):
                return None
            target = resolution.name or resolution.match.entry.name
            hop = Hop(module.path, span, target, function.qualname)
            # Inside a helper, a call that runs while a global is unset runs once.
            once = site is not None and site.once and not function.is_async
            return BlockPath((hop,), resolution.match.entry, target, cached=once)
        if resolution.kind == "workspace" and resolution.function is not None:
            callee = resolution.function
            if self.resolver.catalog.is_allowed(resolution.name or ""):
                return None
            found = self.function(callee)
            if found is not None and found[1].is_generator and not (site is None or site.consumed):
                # Calling a generator function runs none of its body; iterating it later does.
                return None
            sub = self.blocking(callee, remaining - 1)
            lazy = False
            if sub is None and site is not None and site.consumed and not site.with_item:
                # 'for item in items()': iterating what the helper returns may block.
                sub = self.lazy_result(callee, remaining - 1)
                lazy = sub is not None
            if sub is None or _accepted(module, function, site, sub.entry.code):
                return None
            cached = sub.cached or (found is not None and found[1].cached) or (site is not None and site.once)
            name = resolution.name or self.display_name(callee)
            hop = Hop(module.path, span, name, function.qualname)
            return BlockPath((hop, *sub.hops), sub.entry, sub.target, cached, lazy=lazy)
        return None

    def lazy_result(self, ref: FunctionRef, remaining: int) -> BlockPath | None:
        """Does iterating what this function returns block? It does when the function returns
        a lazy result that blocks where it is iterated ('return Item.objects.filter(...)', a
        boto3 paginator), or the result of another such function, or a generator that blocks."""
        key = (ref, remaining)
        if key in self._lazy_memo:
            return self._lazy_memo[key]
        frame = ("lazy", ref)
        if self._met_on_stack(frame):
            return None
        if remaining <= 0:
            return None
        found = self.function(ref)
        if found is None or found[1].is_async:
            self._lazy_memo[key] = None
            return None
        module, function = found

        def returned_paths() -> BlockPath | None:
            best: BlockPath | None = None
            for site in function.calls:
                if site.returned:
                    resolution = self.resolver.resolve_call(module, function, site)
                    path = self._returned_path(module, function, site, resolution, remaining)
                    if path is not None and not _accepted(module, function, site, path.entry.code):
                        best = better(best, path)
            return best

        best, complete = self._framed(frame, returned_paths)
        if complete:
            self._lazy_memo[key] = best
        return best

    def _returned_path(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        site: CallSite,
        resolution: Resolution,
        remaining: int,
    ) -> BlockPath | None:
        if resolution.kind == "catalog" and resolution.match is not None:
            entry = resolution.match.entry
            if not entry.lazy:
                return None  # it blocks (or not) in the function itself
            if not self.catalog_call_blocks(module, function, resolution, site, iterated=True):
                return None
            target = resolution.name or entry.name
            hop = Hop(module.path, site.func_span, target, function.qualname)
            return BlockPath((hop,), entry, target, cached=False, lazy=True)
        if resolution.kind == "workspace" and resolution.function is not None:
            callee = resolution.function
            if self.resolver.catalog.is_allowed(resolution.name or ""):
                return None
            found = self.function(callee)
            generator = found is not None and found[1].is_generator
            # Iterating a returned generator runs its body; another helper's result, its laziness.
            lookup = self.blocking if generator else self.lazy_result
            sub = lookup(callee, remaining - 1)
            if sub is None:
                return None
            name = resolution.name or self.display_name(callee)
            hop = Hop(module.path, site.func_span, name, function.qualname)
            return BlockPath((hop, *sub.hops), sub.entry, sub.target, sub.cached, lazy=True)
        return None

    def catalog_call_blocks(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        resolution: Resolution,
        site: CallSite | None,
        *,
        iterated: bool | None = None,
    ) -> bool:
        """A call the catalog matched blocks, unless the project allows the name, the argument
        form never waits, or the thread lock it enters is only ever held briefly. 'iterated':
        whether its result is iterated, when that is known better than at the call (a helper's
        returned result, iterated by its caller)."""
        assert resolution.match is not None
        if self.resolver.catalog.is_allowed(resolution.name or resolution.match.entry.name):
            return False
        if site is None:
            return True
        type_of, origin = self.resolver.type_of(module, function), self.resolver.origin_of(function)
        consumed = site.consumed if iterated is None else iterated
        if exempt(resolution.match.entry, site.node, type_of, origin, iterated=consumed):
            return False
        return not site.entered or self._lock_held_long(module, function, site)

    # ---- thread locks ---------------------------------------------------------------------
    def _lock_held_long(self, module: ModuleInfo, function: FunctionInfo, site: CallSite) -> bool:
        """'with lock:' waits only while another holder is inside its own 'with lock:' block.
        A lock whose every holder in the project does quick work (a counter, a dict) is free
        again in microseconds; one held around a blocking call can stall the loop for as long
        as that call takes."""
        name = dotted_name(site.receiver) if site.receiver is not None else None
        if name is None:
            return True
        if name.startswith("self.") and function.class_qualname:
            key = (module.path, f"{function.class_qualname}.{name}")
        else:
            key = ("", self.resolver.resolve_dotted(module, name) or f"{module.path}:{name}")
        if key in self._locks:
            return self._locks[key]
        # The check sits on the stack like a function: a holder that takes the same lock
        # again, however far down, is a cycle, and what was concluded under it (that lock
        # held briefly) is not kept.
        frame = ("lock", key)
        if self._met_on_stack(frame):
            return False
        result, complete = self._framed(
            frame,
            lambda: any(
                self._blocks_inside(holder_module, holder, body)
                for holder_module, holder, body in self._holders(module, function, name, key)
            ),
        )
        if result or complete:
            self._locks[key] = result
        return result

    def _holders(
        self, module: ModuleInfo, function: FunctionInfo, name: str, key: tuple[str, str]
    ) -> list[tuple[ModuleInfo, FunctionInfo, tuple[int, int]]]:
        if key[0]:
            # An instance's lock: the methods of the same class.
            prefix = f"{function.class_qualname}."
            scopes = [(module, [f for q, f in module.functions.items() if q.startswith(prefix)])]
        else:
            # A module-level lock: its own module, and the modules that can import it (they
            # name both the lock and its module).
            scopes = [(module, list(module.functions.values()))]
            last = name.rsplit(".", 1)[-1]
            owner = self.resolver.workspace_variable(key[1])
            if owner is not None:
                home = owner[0].module_name.rsplit(".", 1)[-1]
                for path in list(self.project.files):
                    if str(path) == module.path or not (
                        self.project.mentions(path, (last,)) and self.project.mentions(path, (home,))
                    ):
                        continue
                    other = self.project.module(path)
                    if other is not None:
                        scopes.append((other, list(other.functions.values())))
        found: list[tuple[ModuleInfo, FunctionInfo, tuple[int, int]]] = []
        for scope_module, functions in scopes:
            for holder in functions:
                for body in _with_bodies(holder.node):
                    manager, first, last_line = body
                    if key[0]:
                        same = manager == name
                    else:
                        same = (
                            manager.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]
                            and (
                                self.resolver.resolve_dotted(scope_module, manager)
                                or f"{scope_module.path}:{manager}"
                            )
                            == key[1]
                        )
                    if same:
                        found.append((scope_module, holder, (first, last_line)))
        return found

    def _blocks_inside(self, module: ModuleInfo, function: FunctionInfo, body: tuple[int, int]) -> bool:
        first, last = body
        for site in function.calls:
            if not (first <= site.span.line <= last) or site.awaited or site.scheduled:
                continue
            resolution = self.resolver.resolve_call(module, function, site)
            path = self.through(module, function, site.func_span, resolution, self.max_depth, site)
            if path is not None and path.entry.severity == WARNING:
                return True
        return False


def _accepted(module: ModuleInfo, function: FunctionInfo, site: CallSite | None, code: str) -> bool:
    """An ignore comment on a helper's call: the project accepts that call (an OIDC branch
    taken once, a file read at start-up), so nothing is reported through it. A coroutine's own
    lines are filtered where its findings are made."""
    if site is None or function.is_async:
        return False
    lines = {site.span.line, site.span.end_line, site.func_span.end_line}
    return is_suppressed(module, lines, code)


def _with_bodies(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, int, int]]:
    """(manager, first line, last line) of each plain 'with name:' in the function's own frame."""
    bodies: list[tuple[str, int, int]] = []
    for child in frame_nodes(node.body):
        if isinstance(child, ast.With) and child.body:
            for item in child.items:
                manager = dotted_name(item.context_expr)
                if manager is not None:
                    bodies.append((manager, child.body[0].lineno, child.end_lineno or child.lineno))
    return bodies
