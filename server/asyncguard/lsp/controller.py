"""The server's state on its event loop: open documents, scheduling, publishing. Analysis runs
on the worker thread (service.py); nothing here blocks the loop."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types

from ..config import Config
from ..engine.findings import Finding
from ..fixes.builders import Document, fix_all, fixes_for
from . import convert
from .hover import finding_markdown, function_summary
from .service import AnalysisService, DocumentResult, Superseded, Worker
from .settings import ServerSettings, read_settings

log = logging.getLogger("asyncguard.lsp")

FIX_ALL_KIND = "source.fixAll.asyncguard"
_DEPENDENT_DELAY = 0.3


def uri_to_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


@dataclass
class DocState:
    uri: str
    path: Path
    version: int
    text: str
    result: DocumentResult | None = None
    result_version: int | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Future[Any] | None = None

    @property
    def current(self) -> bool:
        return self.result is not None and self.result_version == self.version


class Controller:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.docs: dict[str, DocState] = {}
        self.settings = ServerSettings()
        self.init_options: dict[str, Any] = {}
        self.pull = False
        self.refresh_support = False
        self.configuration_support = False
        self.versioned_edits = False
        self.encoding = "utf-16"
        self.root: Path = Path.cwd()
        self.worker: Worker | None = None
        self.service: AnalysisService | None = None
        self.ready = asyncio.Event()
        self._shown: set[str] = set()
        self._scan_pushed: set[str] = set()
        self._tasks: set[asyncio.Future[Any]] = set()
        self.published: list[tuple[str, int | None]] = []  # (uri, version) of each push, for tests

    # ---- lifecycle ----------------------------------------------------------------------
    def initialize(self, params: types.InitializeParams) -> None:
        capabilities = params.capabilities
        text = capabilities.text_document
        self.pull = bool(text and text.diagnostic)
        workspace = capabilities.workspace
        self.refresh_support = bool(
            workspace and workspace.diagnostics and workspace.diagnostics.refresh_support
        )
        self.configuration_support = bool(workspace and workspace.configuration)
        self.versioned_edits = bool(
            workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes
        )
        encoding = self.server.workspace.position_encoding
        self.encoding = str(getattr(encoding, "value", encoding) or "utf-16")
        root = None
        if params.workspace_folders:
            root = uri_to_path(params.workspace_folders[0].uri)
        elif params.root_uri:
            root = uri_to_path(params.root_uri)
        elif params.root_path:
            root = Path(params.root_path)
        self.root = root or Path.cwd()
        self.init_options = (
            params.initialization_options if isinstance(params.initialization_options, dict) else {}
        )
        self.settings = read_settings(self.init_options)
        self.worker = Worker()

    async def initialized(self) -> None:
        await self._load_settings()
        assert self.worker is not None
        self.service = AnalysisService(self.root, Config(), trusted=self.settings.trusted)
        await self._in_worker(self.service.configure, self.settings.engine)
        self._show_problems()
        try:
            count = await self._in_worker(self.service.index)
            log.info("asyncguard: indexed %d Python files under %s", count, self.root)
        except Exception:
            log.exception("asyncguard: indexing the workspace failed")
        self.ready.set()

    async def _load_settings(self) -> None:
        sources: list[Any] = [self.init_options]
        if self.configuration_support:
            try:
                items = await asyncio.wait_for(
                    self.server.workspace_configuration_async(
                        types.ConfigurationParams(
                            items=[
                                types.ConfigurationItem(scope_uri=self.root.as_uri(), section="asyncguard")
                            ]
                        )
                    ),
                    timeout=5,
                )
                sources.extend(items or [])
            except Exception as exc:  # noqa: BLE001 - a broken workspace must not stop the server
                log.info("asyncguard: workspace/configuration failed: %s", exc)
        self.settings = read_settings(*sources)
        _set_log_level(self.settings.log_level)

    def _show_problems(self) -> None:
        problems = [*self.settings.errors, *(self.service.messages if self.service else [])]
        for message in problems:
            if message in self._shown:
                continue
            self._shown.add(message)
            log.warning("%s", message)
            if self.settings.show_notifications != "off":
                self.server.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Warning, message=message)
                )

    def shutdown(self) -> None:
        for state in self.docs.values():
            if state.task is not None:
                state.task.cancel()
        if self.worker is not None:
            self.worker.shutdown()

    async def _in_worker(self, func, *args):  # type: ignore[no-untyped-def]
        assert self.worker is not None
        return await asyncio.wrap_future(self.worker.submit(func, *args))

    # ---- documents ----------------------------------------------------------------------
    def _is_python(self, uri: str, language: str | None = None) -> bool:
        return language == "python" or uri.endswith((".py", ".pyi"))

    def opened(self, params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        path = uri_to_path(document.uri)
        if path is None or not self._is_python(document.uri, document.language_id):
            return
        state = DocState(document.uri, path, document.version, document.text)
        self.docs[document.uri] = state
        if document.uri in self._scan_pushed:
            # The scan pushed diagnostics for it while closed; the open document owns them now.
            self._scan_pushed.discard(document.uri)
            self._publish_raw(document.uri, [], None)
        self._schedule(state, 0.0)

    def changed(self, params: types.DidChangeTextDocumentParams) -> None:
        state = self.docs.get(params.text_document.uri)
        if state is None:
            return
        document = self.server.workspace.get_text_document(params.text_document.uri)
        state.version = params.text_document.version
        state.text = document.source
        self._schedule(state, self.settings.debounce_ms / 1000)

    def saved(self, params: types.DidSaveTextDocumentParams) -> None:
        state = self.docs.get(params.text_document.uri)
        if state is not None:
            self._recheck_dependents(str(state.path))

    def closed(self, params: types.DidCloseTextDocumentParams) -> None:
        state = self.docs.pop(params.text_document.uri, None)
        if state is None:
            return
        if state.task is not None:
            state.task.cancel()
        if self.service is not None and self.worker is not None:
            self.worker.submit(self.service.close, state.path)
        if not self.pull:
            self._publish_raw(state.uri, [], None)

    def _schedule(self, state: DocState, delay: float, *, edited: bool = True) -> None:
        """Analyse the document's newest version after 'delay'. Only the user's own edits
        cascade to the documents that depend on this one."""
        if state.task is not None and not state.task.done():
            state.task.cancel()
        state.ready.clear()
        state.task = asyncio.ensure_future(self._analyze(state, state.version, delay, edited))

    async def _analyze(self, state: DocState, version: int, delay: float, edited: bool) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.ready.wait()
        if not self.settings.enable or self.service is None:
            return
        text = state.text

        def is_current() -> bool:
            return self.docs.get(state.uri) is state and state.version == version

        # A document seen for the first time gets what resolves without jedi at once, then
        # the complete result: jedi's first queries load whole libraries and take a while.
        phases = (True, False) if state.result is None else (False,)
        for cheap in phases:
            try:
                result = await self._in_worker(self.service.analyze, state.path, text, is_current, cheap)
            except Superseded:
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("asyncguard: analysis of %s failed", state.path)
                result = DocumentResult(str(state.path), [], None, error=f"analysis failed: {exc}")
            if not is_current():
                return  # a newer version is on its way: never publish stale results
            first_result = state.result is None
            changed = first_result or _summary(state.result.findings) != _summary(result.findings)
            state.result = result
            state.result_version = version
            state.ready.set()
            if result.error:
                log.warning("asyncguard: %s", result.error)
            log.debug(
                "asyncguard: %s v%s analysed%s in %.0f ms",
                state.path.name,
                version,
                " (before jedi)" if cheap else "",
                result.seconds * 1000,
            )
            refinement = len(phases) == 2 and not cheap
            if not self.pull:
                # The complete result of a first open is only sent when jedi added something.
                if changed or not refinement:
                    self._publish(state)
            elif not first_result and changed and self.refresh_support:
                self._background(self._refresh_after([]))
        if edited:
            # Other open documents may reach into this one through their chains.
            self._recheck_dependents(str(state.path), delay=_DEPENDENT_DELAY)

    def _recheck_dependents(self, path: str, delay: float = 0.0) -> None:
        dependents = [
            s
            for s in self.docs.values()
            if s.result is not None and path in s.result.depends_on and str(s.path) != path
        ]
        if not dependents:
            return
        if self.service is not None and self.worker is not None:
            self.worker.submit(self.service.file_changed, Path(path))
        for state in dependents:
            self._schedule(state, delay, edited=False)
        if self.pull and self.refresh_support:
            self._background(self._refresh_after(dependents))

    def _background(self, coroutine: Any) -> None:
        # Keep a reference: the loop only holds weak references to tasks.
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh_after(self, states: list[DocState]) -> None:
        for state in states:
            if state.task is not None:
                try:
                    await state.task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001 - the refresh is best effort
                    return
        try:
            await self.server.workspace_diagnostic_refresh_async(None)
        except Exception as exc:  # noqa: BLE001 - the refresh is best effort
            log.debug("asyncguard: diagnostic refresh failed: %s", exc)

    async def wait_current(self, state: DocState) -> bool:
        """Wait until the document's newest version is analysed; False if it closed meanwhile."""
        while not state.current:
            if self.docs.get(state.uri) is not state:
                return False
            if state.task is None or state.task.done():
                self._schedule(state, 0.0, edited=False)
            await state.ready.wait()
        return True

    # ---- diagnostics --------------------------------------------------------------------
    def diagnostics(self, state: DocState) -> list[types.Diagnostic]:
        if state.result is None:
            return []
        lines = convert.Lines(state.text, self.encoding)
        return [convert.diagnostic(f, lines, state.result_version) for f in state.result.findings]

    def _publish(self, state: DocState) -> None:
        self._publish_raw(state.uri, self.diagnostics(state), state.result_version)

    def _publish_raw(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.published.append((uri, version))
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    async def pull_diagnostics(
        self, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        state = self.docs.get(params.text_document.uri)
        if state is None or not self.settings.enable:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if not await self.wait_current(state):
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        return types.RelatedFullDocumentDiagnosticReport(
            items=self.diagnostics(state), result_id=f"{state.result_version}"
        )

    # ---- hover --------------------------------------------------------------------------
    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        state = self.docs.get(params.text_document.uri)
        if state is None:
            return None
        try:
            await asyncio.wait_for(self.wait_current(state), timeout=5)
        except asyncio.TimeoutError:
            return None
        if not state.current or state.result is None:
            return None
        lines = convert.Lines(state.text, self.encoding)
        line, col = lines.from_client(params.position)
        findings = state.result.findings
        here = [f for f in findings if f.func_span.contains(line, col) and f.code != "AG301"]
        if here:
            finding = min(
                here,
                key=lambda f: (
                    f.func_span.end_line - f.func_span.line,
                    f.func_span.end_col - f.func_span.col,
                ),
            )
            document = Document(
                state.text, str(state.path), _tree=state.result.module.tree if state.result.module else None
            )
            fixes = await asyncio.to_thread(fixes_for, document, finding, findings)
            titles = [f.title for f in fixes if not f.title.startswith("Ignore")]
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=finding_markdown(finding, titles)
                ),
                range=lines.range(finding.func_span),
            )
        module = state.result.module
        if module is None:
            return None
        route_findings = [f for f in findings if f.code == "AG301" and f.span.contains(line, col)]
        for function in module.functions.values():
            on_name = function.name_span.contains(line, col)
            on_route_finding = any(f.function == function.qualname for f in route_findings)
            if function.is_async and (on_name or on_route_finding):
                own = [f for f in findings if f.function == function.qualname]
                if not own:
                    return None
                route = next((f.route for f in own if f.route), None)
                return types.Hover(
                    contents=types.MarkupContent(
                        kind=types.MarkupKind.Markdown,
                        value=function_summary(function.qualname, route, findings),
                    ),
                    range=lines.range(function.name_span),
                )
        return None

    # ---- code actions -------------------------------------------------------------------
    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        state = self.docs.get(params.text_document.uri)
        if state is None or not state.current or state.result is None:
            # Never offer an edit computed for another version of the document.
            return None
        version = state.version
        result = state.result
        only = params.context.only or []
        wants_fix_all = any(
            FIX_ALL_KIND.startswith(k) or k == FIX_ALL_KIND for k in only if k.startswith("source")
        )
        wants_quick = not only or any(
            k == types.CodeActionKind.QuickFix or types.CodeActionKind.QuickFix.startswith(k) for k in only
        )
        lines = convert.Lines(state.text, self.encoding)
        start = lines.from_client(params.range.start)
        end = lines.from_client(params.range.end)
        document = Document(state.text, str(state.path), _tree=result.module.tree if result.module else None)
        findings = result.findings

        def compute() -> list[tuple[Finding | None, Any]]:
            out: list[tuple[Finding | None, Any]] = []
            if wants_quick:
                for finding in findings:
                    if _touches(finding, start, end):
                        out.extend((finding, fix) for fix in fixes_for(document, finding, findings))
            if wants_fix_all or not only:
                every = fix_all(document, findings)
                if every is not None and (wants_fix_all or len(findings) > 1):
                    out.append((None, every))
            return out

        computed = await asyncio.to_thread(compute)
        if self.docs.get(state.uri) is not state or state.version != version:
            return None
        diagnostics_by_key = {
            (d.range.start.line, d.range.start.character, d.code): d for d in params.context.diagnostics
        }
        actions: list[types.CodeAction] = []
        for finding, fix in computed:
            attached: list[types.Diagnostic] = []
            if finding is not None:
                key = (
                    finding.func_span.line - 1,
                    lines.to_client(finding.func_span.line, finding.func_span.col).character,
                    finding.code,
                )
                diagnostic = diagnostics_by_key.get(key) or convert.diagnostic(finding, lines, version)
                attached = [diagnostic]
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=fix.kind,
                    diagnostics=attached or None,
                    is_preferred=fix.preferred or None,
                    edit=self._workspace_edit(
                        state.uri, version, [convert.text_edit(e, lines) for e in fix.edits]
                    ),
                )
            )
        return actions

    def _workspace_edit(self, uri: str, version: int, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        if self.versioned_edits:
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                        edits=edits,
                    )
                ]
            )
        return types.WorkspaceEdit(changes={uri: edits})

    # ---- configuration and files --------------------------------------------------------
    async def configuration_changed(self, params: types.DidChangeConfigurationParams) -> None:
        if isinstance(params.settings, dict) and params.settings:
            self.init_options = {**self.init_options, **read_settings_source(params.settings)}
        await self._load_settings()
        if self.service is None:
            return
        self.service.trusted = self.settings.trusted
        await self._in_worker(self.service.configure, self.settings.engine)
        self._show_problems()
        self._recheck_all()

    def _recheck_all(self) -> None:
        for state in self.docs.values():
            self._schedule(state, 0.0, edited=False)
        if self.pull and self.refresh_support:
            self._background(self._refresh_after(list(self.docs.values())))

    async def watched_files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        if self.service is None:
            return
        reconfigure = False
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path is None:
                continue
            if path.name == "pyproject.toml":
                reconfigure = True
                continue
            if change.uri in self.docs:
                continue  # the open buffer is the truth
            await self._in_worker(self.service.file_changed, path)
            self._recheck_dependents(str(path))
        if reconfigure:
            await self._in_worker(self.service.configure, self.settings.engine)
            self._show_problems()
            self._recheck_all()

    async def scan_workspace(self) -> dict[str, int]:
        """Check every Python file of the workspace, with $/progress, and publish the results."""
        await self.ready.wait()
        assert self.service is not None
        token = str(uuid.uuid4())
        progress = self.server.work_done_progress
        try:
            await progress.create_async(token)
            progress.begin(
                token, types.WorkDoneProgressBegin(title="asyncguard: scanning workspace", percentage=0)
            )
        except Exception:  # noqa: BLE001 - the client may not support progress
            token = ""
        files = await self._in_worker(self.service.workspace_files)
        total_findings = 0
        for number, path in enumerate(files, start=1):
            uri = path.absolute().as_uri()
            if uri in self.docs:
                state = self.docs[uri]
                if await self.wait_current(state) and state.result is not None:
                    total_findings += len(state.result.findings)
            else:
                result = await self._in_worker(self.service.check_file, path)
                total_findings += len(result.findings)
                lines = convert.Lines(self.service.project.text(path) if result.module else "", self.encoding)
                items = [convert.diagnostic(f, lines, None) for f in result.findings]
                if items or uri in self._scan_pushed:
                    self._publish_raw(uri, items, None)
                    if items:
                        self._scan_pushed.add(uri)
            if token and (number % 10 == 0 or number == len(files)):
                progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=f"{number}/{len(files)} files",
                        percentage=int(100 * number / max(1, len(files))),
                    ),
                )
        if token:
            progress.end(
                token, types.WorkDoneProgressEnd(message=f"{total_findings} findings in {len(files)} files")
            )
        return {"files": len(files), "findings": total_findings}


def read_settings_source(settings: dict[str, Any]) -> dict[str, Any]:
    inner = settings.get("asyncguard")
    return inner if isinstance(inner, dict) else {}


def _summary(findings: list[Finding]) -> list[tuple[str, str, int, int, str]]:
    return [(f.code, f.target, f.span.line, f.span.col, f.message) for f in findings]


def _touches(finding: Finding, start: tuple[int, int], end: tuple[int, int]) -> bool:
    span = finding.func_span if finding.code != "AG301" else finding.span
    first = (span.line, span.col)
    last = (span.end_line, span.end_col)
    return not (last < start or end < first)


def _set_log_level(level: str) -> None:
    logging.getLogger("asyncguard").setLevel(
        {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}[
            level
        ]
    )
