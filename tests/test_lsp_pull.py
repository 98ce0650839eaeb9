"""The language server with a pull-diagnostics client (VS Code's mode), cross-file updates,
the workspace scan and settings errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import change_document, config, initialize_params, open_document, write
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

HELPER = """
import time


def slow() -> None:
    time.sleep(1)
"""

ROUTE = """
from fastapi import FastAPI, Request

from .helpers import slow

app = FastAPI()


@app.post("/jobs")
async def create_job(request: Request):
    job = await request.json()
    slow()
    return {"ok": True, "job": job}
"""


def pull_capabilities() -> types.ClientCapabilities:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return capabilities


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp_pull")
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n[tool.asyncguard]\nmax_depth = 3\n")
    write(root, "app/__init__.py", "")
    write(root, "app/helpers.py", HELPER)
    write(root, "app/routes.py", ROUTE)
    write(root, "app/closed.py", "import subprocess\n\n\nasync def run():\n    subprocess.run(['ls'])\n")
    return root


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(
        initialize_params(workspace, pull_capabilities(), {"python": str(workspace / "no-such-venv")})
    )
    yield
    await lsp_client.shutdown_session()


async def pull(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    report = await asyncio.wait_for(
        client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        120,
    )
    return list(report.items)


async def test_pull_answers_and_nothing_is_pushed(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "app/routes.py")
    items = await pull(client, uri)
    assert [(d.range.start.line, d.code, d.message) for d in items] == [
        (10, "AG101", "slow blocks the event loop in async route POST /jobs: it calls time.sleep"),
    ]
    await asyncio.sleep(0.5)
    assert client.published == []  # type: ignore[attr-defined]


async def test_editing_a_helper_updates_the_route_that_uses_it(
    client: LanguageClient, workspace: Path
) -> None:
    route_uri = (workspace / "app/routes.py").as_uri()
    helper_uri = open_document(client, workspace / "app/helpers.py")
    assert await pull(client, helper_uri) == []
    refreshes = client.diagnostic_refresh_count
    change_document(client, helper_uri, 2, "import time\n\n\ndef slow() -> None:\n    pass\n")

    async def refreshed() -> None:
        while client.diagnostic_refresh_count == refreshes:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(refreshed(), 60)
    assert await pull(client, route_uri) == []
    change_document(client, helper_uri, 3, HELPER.lstrip("\n"))
    await asyncio.sleep(1)
    assert [d.code for d in await pull(client, route_uri)] == ["AG101"]


async def test_bad_settings_and_environment_are_reported_once_by_name(
    client: LanguageClient, workspace: Path
) -> None:
    async def messages() -> list[str]:
        while len(client.messages) < 2:
            await asyncio.sleep(0.05)
        return [m.message for m in client.messages]

    shown = await asyncio.wait_for(messages(), 60)
    assert shown[0].startswith("asyncguard: pyproject.toml [tool.asyncguard]: unknown key 'max_depth'")
    assert shown[1].startswith(f"asyncguard: python environment {workspace / 'no-such-venv'!s}") or shown[
        1
    ].startswith("asyncguard: python environment")
    assert "Falling back to the interpreter running asyncguard" in shown[1]


async def test_scan_workspace_reports_progress_and_publishes_closed_files(
    client: LanguageClient, workspace: Path
) -> None:
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="asyncguard.scanWorkspace")
        ),
        120,
    )
    assert result["files"] == 4
    closed_uri = (workspace / "app/closed.py").as_uri()
    assert [d.code for d in client.diagnostics[closed_uri]] == ["AG103"]
    reports = [r for values in client.progress_reports.values() for r in values]
    assert reports[0].kind == "begin" and reports[0].title == "asyncguard: scanning workspace"
    assert reports[-1].kind == "end"
    # Opening the scanned file hands it over to pull diagnostics: the pushed copy is cleared.
    open_document(client, workspace / "app/closed.py")
    await pull(client, closed_uri)
    assert list(client.diagnostics[closed_uri]) == []
