"""pygls wiring: every handler is one line into the Controller."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from .controller import FIX_ALL_KIND, Controller

log = logging.getLogger("asyncguard")


class AsyncguardServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "asyncguard", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.controller = Controller(self)


class _ClientLogHandler(logging.Handler):
    """Log records become window/logMessage notifications, sent from the server's loop."""

    _LEVELS = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
        logging.DEBUG: types.MessageType.Log,
    }

    def __init__(self, server: AsyncguardServer, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.server = server
        self.loop = loop

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            kind = self._LEVELS.get(record.levelno, types.MessageType.Log)
            params = types.LogMessageParams(type=kind, message=message)
            self.loop.call_soon_threadsafe(self.server.window_log_message, params)
        except Exception:  # noqa: BLE001 - logging must never raise
            pass


def create_server() -> AsyncguardServer:
    server = AsyncguardServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AsyncguardServer, params: types.InitializeParams) -> None:
        ls.controller.initialize(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AsyncguardServer, params: types.InitializedParams) -> None:
        handler = _ClientLogHandler(ls, asyncio.get_running_loop())
        handler.setFormatter(logging.Formatter("%(message)s"))
        root = logging.getLogger("asyncguard")
        root.handlers = [handler]
        root.propagate = False
        await ls.controller.initialized()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AsyncguardServer, params: Any) -> None:
        ls.controller.shutdown()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AsyncguardServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.controller.opened(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AsyncguardServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.controller.changed(params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AsyncguardServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.controller.saved(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AsyncguardServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.controller.closed(params)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="asyncguard", inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    async def diagnostic(
        ls: AsyncguardServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        return await ls.controller.pull_diagnostics(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: AsyncguardServer, params: types.HoverParams) -> types.Hover | None:
        return await ls.controller.hover(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(
        ls: AsyncguardServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        return await ls.controller.code_actions(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: AsyncguardServer, params: types.DidChangeConfigurationParams
    ) -> None:
        await ls.controller.configuration_changed(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(
        ls: AsyncguardServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        await ls.controller.watched_files_changed(params)

    @server.command("asyncguard.scanWorkspace")
    async def scan_workspace(ls: AsyncguardServer, *args: Any) -> dict[str, int]:
        return await ls.controller.scan_workspace()

    return server


def serve() -> None:
    create_server().start_io()
