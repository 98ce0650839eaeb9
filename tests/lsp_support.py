"""A real LSP client (pytest-lsp) driving the real server over stdio, plus small helpers."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "asyncguard", "lsp"]


def server_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}


def _record_publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append((params.uri, params.version, list(params.diagnostics)))  # type: ignore[attr-defined]


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    register_lsp_features(
        client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record_publish}
    )
    return client


def config() -> ClientServerConfig:
    return ClientServerConfig(
        server_command=SERVER_COMMAND, server_env=server_env(), client_factory=make_client
    )


def write(root: Path, name: str, code: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")
    return path


def open_document(client: LanguageClient, path: Path, version: int = 1, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=version,
                text=text if text is not None else path.read_text(),
            )
        )
    )
    return uri


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def wait_for_publish(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 120, settle: float = 0.3
) -> list[types.Diagnostic]:
    """The diagnostics of the newest publish for uri (at version, if given), once no further
    publish for it has arrived for 'settle' seconds (a first open publishes what resolves
    without jedi, then the complete result when it differs)."""

    def latest() -> tuple[int, list[types.Diagnostic]] | None:
        for index in range(len(client.published) - 1, -1, -1):  # type: ignore[attr-defined]
            published_uri, published_version, diagnostics = client.published[index]  # type: ignore[attr-defined]
            if published_uri == uri and (version is None or published_version == version):
                return index, diagnostics
        return None

    async def poll() -> list[types.Diagnostic]:
        while True:
            found = latest()
            if found is not None:
                await asyncio.sleep(settle)
                again = latest()
                if again is not None and again[0] == found[0]:
                    return found[1]
                continue
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), timeout)


def apply_text_edits(text: str, edits: list[Any]) -> str:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return offsets[position.line] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[Any]:
    assert action.edit is not None
    if action.edit.document_changes:
        return [
            e
            for change in action.edit.document_changes
            if change.text_document.uri == uri
            for e in change.edits
        ]
    return list((action.edit.changes or {}).get(uri, []))


def initialize_params(
    root: Path, capabilities: types.ClientCapabilities, options: dict[str, Any] | None = None
) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=capabilities,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options or {},
    )
