"""Findings for a module: every call on the event loop, resolved, matched against the catalog
directly or through workspace helpers, and placed in its route or other entry point."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from .budget import Budget
from .catalog import Catalog, custom_entry, default_catalog
from .entry_index import EntryIndex
from .entrypoints import EntryPoint
from .environment import EnvironmentChoice
from .findings import Finding, Hop
from .model import CallSite, FunctionInfo, ModuleInfo
from .positions import Span
from .project import Project
from .reach import BlockPath, Reach
from .resolve import FunctionRef, Resolution, Resolver
from .rules import BY_CODE, INFO, SEVERITY_RANK, WARNING
from .source import SourceError
from .suppression import is_suppressed

log = logging.getLogger("asyncguard.analyzer")

# Indented defs only: methods (and nested functions) are what an attribute call can reach;
# module-level functions are found through the import table.
_DEF = re.compile(r"^[ \t]+(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.M)
_PROPERTY = re.compile(
    r"@(?:[\w.]*\.)?(?:cached_)?property[ \t]*\r?\n(?:[ \t]*@.*\r?\n)*[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)"
)
THREADPOOL_SIZE = 40  # anyio's default capacity limiter, which FastAPI uses for sync routes


@dataclass
class ModuleReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # the file could not be read at all
    syntax_error: str | None = None  # parsed with repairs; findings cover the intact parts


def build_catalog(config: Config) -> Catalog:
    base = default_catalog(cpu_heavy=config.cpu_heavy)
    severity = {k: v for k, v in config.severity.items() if v != "off"}
    off = {k for k, v in config.severity.items() if v == "off"}
    extra = [custom_entry(e.pattern, e.reason) for e in config.extra_blocking]
    catalog = base.configured(extra=extra, allow=config.allow, severity=severity)
    if off:
        catalog = Catalog((e for e in catalog.entries if e.category not in off), allow=catalog.allow)
    return catalog


@dataclass
class _Place:
    """Where an async function runs, for messages and the JSON 'route'."""

    text: str  # 'async route GET /items', 'async function load_user (reached from ...)'
    route: str | None
    entry: EntryPoint | None


class Analyzer:
    """Analyses modules of one project with one environment. Not thread-safe (jedi is not)."""

    def __init__(
        self,
        project: Project,
        config: Config | None = None,
        environment: EnvironmentChoice | None = None,
        *,
        jedi_budget: float | None = 5.0,
        shared_inference: bool = False,
    ) -> None:
        self.project = project
        self.config = config or Config()
        self.catalog = build_catalog(self.config)
        self.resolver = Resolver(
            project,
            self.catalog,
            environment,
            follow_libraries=self.config.follow_libraries,
            budget=Budget(jedi_budget),
            shared_inference=shared_inference,
        )
        self.reach = Reach(project, self.resolver, self.config.max_depth)
        self.entries = EntryIndex(project, self.resolver)

    def prepare(self) -> None:
        """Index workspace function and property names: jedi is only asked about calls that
        may lead to the catalog or to workspace code."""
        methods: dict[str, set[str]] = {}
        properties: dict[str, set[str]] = {}
        for path in self.project.files:
            try:
                text = self.project.text(path)
            except SourceError:
                continue
            # A text scan, not a parse: on a large workspace this runs before anything else.
            where = str(path.absolute())
            for name in _DEF.findall(text):
                methods.setdefault(name, set()).add(where)
            for name in _PROPERTY.findall(text):
                properties.setdefault(name, set()).add(where)
        self.resolver.workspace_names = set(methods)
        if self.resolver.shared_inference:
            # A whole-program run checks every module, so walking every function of a name
            # costs little more than the run does anyway, and saves the queries. The editor
            # analyses open files only: there a walk costs more than the query it saves.
            self.resolver.method_may_block = self.reach.method_may_block
        self.reach.method_files = methods
        self.reach.property_files = properties
        self.reach.forget()

    def invalidate(self, path: Path | None = None) -> None:
        """Forget what depends on workspace code after a change ('path' or everything)."""
        if path is not None:
            self.project.invalidate(path)
            self.resolver.forget(str(path.absolute()))
        self.reach.forget()
        self.entries.invalidate()

    # ---- modules ------------------------------------------------------------------------
    def check_path(self, path: Path) -> ModuleReport:
        module = self.project.module(path)
        if module is None:
            return ModuleReport(str(path.absolute()), error=self.project.error(path))
        return self.check_module(module)

    def check_module(self, module: ModuleInfo, should_stop: Callable[[], bool] | None = None) -> ModuleReport:
        report = ModuleReport(module.path, syntax_error=module.syntax_error)
        for function in module.functions.values():
            if should_stop is not None and should_stop():
                break
            if function.is_async:
                report.findings.extend(self.check_function(module, function))
        report.findings = self._filter(module, report.findings)
        return report

    def check_function(self, module: ModuleInfo, function: FunctionInfo) -> list[Finding]:
        ref = FunctionRef(module.path, function.qualname)
        place = self._place(ref, function)
        if place is None:
            return []
        findings: list[Finding] = []
        for site in function.calls:
            finding = self._call_finding(module, function, site, place)
            if finding is not None:
                findings.append(finding)
        for load in function.attr_loads:
            if self.reach.property_may_block(load.attr):
                resolution = self.resolver.resolve_attribute(module, function, load)
                path = self.reach.through(module, function, load.span, resolution, self.config.max_depth + 1)
                if path is not None:
                    findings.append(
                        self._transitive(module, function, load.span, load.span, place, path, None)
                    )
        entry = place.entry
        if (
            entry is not None
            and entry.is_http_route
            and entry.qualname == function.qualname
            and not function.has_await
            and any(f.severity == WARNING for f in findings)
        ):
            findings.append(self._route_without_await(module, function, entry, findings))
        return findings

    def _place(self, ref: FunctionRef, function: FunctionInfo) -> _Place | None:
        entry = self.entries.entry(ref)
        if entry is not None:
            return _Place(f"{entry.describe()}", _route_label(entry), entry)
        name = function.qualname.replace(".<locals>", "")
        reached = self.entries.reached_from(ref)
        if reached is not None:
            return _Place(
                f"async function {name} (reached from {reached.describe()})", _route_label(reached), None
            )
        if self.config.scope == "routes":
            return None
        return _Place(f"async function {name}", None, None)

    # ---- one call -----------------------------------------------------------------------
    def _call_finding(
        self, module: ModuleInfo, function: FunctionInfo, site: CallSite, place: _Place
    ) -> Finding | None:
        if (site.awaited or site.scheduled) and site.offload_misuse is None:
            return None
        resolution = self.resolver.resolve_call(module, function, site)
        if resolution.kind == "catalog" and resolution.match is not None:
            if not self.reach.catalog_call_blocks(module, function, resolution, site):
                return None
            return self._direct(module, function, site, resolution, place)
        if resolution.kind == "workspace" and resolution.function is not None:
            if self.catalog.is_allowed(resolution.name or ""):
                return None
            path = self.reach.through(
                module, function, site.func_span, resolution, self.config.max_depth + 1, site
            )
            if path is not None:
                return self._transitive(module, function, site.span, site.func_span, place, path, site)
        return None

    def _direct(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        site: CallSite,
        resolution: Resolution,
        place: _Place,
    ) -> Finding:
        assert resolution.match is not None
        entry = resolution.match.entry
        target = resolution.name or entry.name
        if site.offload_misuse is not None:
            return self._misuse(module, function, site, target, entry.reason, entry.severity, place)
        message = f"{target} blocks the event loop in {place.text}"
        if entry.lazy:
            # Flagged where the lazy result is made, but the time goes where it is iterated.
            message = f"iterating the result of {target} blocks the event loop in {place.text}"
        if entry.severity == INFO:
            what = " (filesystem metadata)" if entry.category == "file" else ""
            message = f"{target} briefly blocks the event loop in {place.text}{what}"
        return Finding(
            path=module.path,
            span=site.span,
            func_span=site.func_span,
            code=entry.code,
            category=entry.category,
            severity=entry.severity,
            message=message,
            target=target,
            reason=entry.reason,
            alternative=entry.alternative,
            function=function.qualname,
            route=place.route,
            fix=_fix_hints(
                site,
                entry.awaitable_alternative,
                entry.thread_bound,
                entry.lazy,
                entry.twin_of(site.attr) if site.receiver is not None else None,
            ),
        )

    def _transitive(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        span: Span,
        func_span: Span,
        place: _Place,
        path: BlockPath,
        site: CallSite | None,
    ) -> Finding:
        entry = path.entry
        helper = path.hops[0].callee
        short = _short(helper)
        depth = len(path.hops) - 1
        if path.cached:
            severity = INFO
            message = (
                f"{short} blocks the event loop once in {place.text}: it reaches {path.target} through "
                "a cached function, so the cost is paid on the first call only"
            )
        else:
            severity = entry.severity
            reach = (
                f"it calls {path.target}" if depth == 1 else f"it reaches {path.target} {depth} calls down"
            )
            message = f"{short} blocks the event loop in {place.text}: {reach}"
            if path.lazy:
                returns = f"it returns {path.target}" if depth == 1 else reach
                message = f"iterating the result of {short} blocks the event loop in {place.text}: {returns}"
        if site is not None and site.offload_misuse is not None:
            return self._misuse(
                module, function, site, helper, f"blocks: it reaches {path.target}", severity, place, path
            )
        return Finding(
            path=module.path,
            span=span,
            func_span=func_span,
            code=entry.code,
            category=entry.category,
            severity=severity,
            message=message,
            target=path.target,
            reason=entry.reason,
            alternative=_offload_hint(short.rsplit(".", 1)[-1], path.lazy)
            + f" or make the chain async; at the end: {entry.alternative}",
            function=function.qualname,
            route=place.route,
            chain=list(path.hops),
            cached=path.cached,
            fix=_fix_hints(site, None, entry.thread_bound, path.lazy)
            if site is not None
            else {"awaitable": False},
        )

    def _misuse(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        site: CallSite,
        target: str,
        reason: str,
        severity: str,
        place: _Place,
        path: BlockPath | None = None,
    ) -> Finding:
        helper = site.offload_misuse or "the offload helper"
        callee = site.dotted or target
        rule = BY_CODE["AG201"]
        return Finding(
            path=module.path,
            span=site.span,
            func_span=site.func_span,
            code=rule.code,
            category=rule.category,
            severity=severity,
            message=(
                f"{callee}(...) runs on the event loop before {helper} gets it: "
                f"pass the function and its arguments, {helper}({callee}, ...)"
            ),
            target=path.target if path else target,
            reason=(
                "the call is evaluated first, on the loop, and only its result is offloaded; "
                f"{target} {reason}"
            ),
            alternative=f"{helper}({callee}, ...)",
            function=function.qualname,
            route=place.route,
            chain=list(path.hops) if path else [],
            fix={**_fix_hints(site, None, False), "misuse": helper},
        )

    def _route_without_await(
        self, module: ModuleInfo, function: FunctionInfo, entry: EntryPoint, findings: list[Finding]
    ) -> Finding:
        rule = BY_CODE["AG301"]
        node = function.node
        start = Span(node.lineno, module.index.char_col(node.lineno, node.col_offset), node.lineno, 0)
        span = Span(start.line, start.col, function.name_span.end_line, function.name_span.end_col)
        blocking = sorted(
            {_short(f.callee) if f.chain else f.callee for f in findings if f.severity == WARNING}
        )
        # Starlette's endpoints (and HTTPEndpoint methods) get the same threadpool treatment.
        framework = (
            "FastAPI"
            if not function.class_qualname
            and any(full.split(".")[0] == "fastapi" for full in module.imports.values())
            else "Starlette"
        )
        return Finding(
            path=module.path,
            span=span,
            func_span=span,
            code=rule.code,
            category=rule.category,
            severity=WARNING,
            message=(
                f"async route {entry.label} awaits nothing and blocks the event loop "
                f"({', '.join(blocking[:3])}{', ...' if len(blocking) > 3 else ''}): "
                f"declare it with def and {framework} runs it in its threadpool "
                f"({THREADPOOL_SIZE} threads by default)"
            ),
            target=function.qualname,
            reason="an async def route runs on the event loop; with nothing to await it gains nothing",
            alternative=f"def {function.name}(...): {framework} runs plain def routes in a threadpool",
            function=function.qualname,
            route=entry.label,
            fix={
                "async_def": {"line": node.lineno, "col": start.col},
                "blocking": len(blocking),
                "framework": framework,
            },
        )

    # ---- after the fact -----------------------------------------------------------------
    def _filter(self, module: ModuleInfo, findings: list[Finding]) -> list[Finding]:
        minimum = SEVERITY_RANK.get(self.config.min_severity, 0)
        kept: list[Finding] = []
        seen: set[tuple[object, ...]] = set()
        for finding in sorted(findings, key=Finding.sort_key):
            key = (finding.span, finding.func_span, finding.code)
            if key in seen:
                continue
            seen.add(key)
            if SEVERITY_RANK.get(finding.severity, 2) < minimum:
                continue
            lines = {finding.span.line, finding.func_span.end_line, finding.span.end_line}
            if is_suppressed(module, lines, finding.code):
                continue
            kept.append(finding)
        return kept


def _route_label(entry: EntryPoint) -> str:
    if entry.kind == "websocket":
        return f"WEBSOCKET {entry.label}"
    return entry.label


def _short(name: str) -> str:
    """'app.services.users.UserService.create' -> 'UserService.create' (class-qualified when a
    method, else the bare function name)."""
    parts = name.split(".")
    if len(parts) >= 2 and parts[-2][:1].isupper():
        return ".".join(parts[-2:])
    return parts[-1]


def _offload_hint(helper: str, lazy: bool) -> str:
    if lazy:
        # The helper's result blocks where it is iterated: iterate it in the thread too.
        return f"build the list in a thread (await asyncio.to_thread(lambda: list({helper}(...))))"
    return f"await asyncio.to_thread({helper}, ...)"


def _fix_hints(
    site: CallSite,
    awaitable_alternative: str | None,
    thread_bound: bool,
    lazy: bool = False,
    twin: str | None = None,
) -> dict[str, object]:
    return {
        # The finding's call only makes a lazy result that blocks where it is iterated: moving
        # the call to a thread would leave the blocking iteration on the loop.
        "lazy": lazy,
        "awaitable": not site.in_lambda,
        "parent": site.parent_kind,
        "with_item": site.with_item,
        "entered": site.entered,
        "stmt": site.stmt_span.to_dict(),
        "sleep": awaitable_alternative,
        "twin": twin,
        "thread_bound": thread_bound,
    }


__all__ = ["Analyzer", "Finding", "Hop", "ModuleReport", "build_catalog", "is_suppressed"]
