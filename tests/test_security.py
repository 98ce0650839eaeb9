"""Security: analysis never runs workspace code, opens no network connection, and the server
changes no file; only an edit the user accepts does."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lsp_support import initialize_params, make_client, open_document, server_env, wait_for_publish, write
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

AUDIT = textwrap.dedent(
    """
    import json, os, sys

    _log = os.environ["ASYNCGUARD_AUDIT_LOG"]

    def _hook(event, args):
        watched = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn")
        if event.startswith("socket.") or event in watched:
            try:
                detail = [str(a)[:200] for a in args]
            except Exception:
                detail = []
            with open(_log, "a") as handle:
                handle.write(json.dumps([event, detail]) + "\\n")

    sys.addaudithook(_hook)
    """
)

EVIL = textwrap.dedent(
    """
    import pathlib
    import socket

    pathlib.Path(__file__).with_name("IMPORTED").write_text("workspace code ran")
    socket.create_connection(("example.com", 80), timeout=1)


    def helper():
        return 1
    """
)

ROUTES = textwrap.dedent(
    """
    import requests
    from fastapi import FastAPI

    from . import evil

    app = FastAPI()


    @app.get("/x")
    async def x(url: str):
        evil.helper()
        return requests.get(url).json()
    """
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'ws'\n")
    write(root, "app/__init__.py", "")
    write(root, "app/evil.py", EVIL)
    write(root, "app/routes.py", ROUTES)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT)
    return root


def audited_env(workspace: Path) -> dict[str, str]:
    env = server_env()
    env["PYTHONPATH"] = str(workspace.parent / "hooks")
    env["ASYNCGUARD_AUDIT_LOG"] = str(workspace.parent / "audit.log")
    return env


def events(workspace: Path) -> list[list[object]]:
    log = workspace.parent / "audit.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def network(recorded: list[list[object]]) -> list[list[object]]:
    """Network use: connecting, resolving names, or an internet socket. (asyncio's own wakeup
    pipe is a local AF_UNIX socket pair, not network.)"""
    found = []
    for event, args in recorded:
        if event in (
            "socket.connect",
            "socket.getaddrinfo",
            "socket.gethostbyname",
            "socket.sendto",
            "socket.bind",
        ) or (event == "socket.__new__" and len(args) > 1 and args[1] in ("2", "10")):
            found.append([event, args])
    return found


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".asyncguard_cache" not in p.parts
    }


def test_the_cli_never_imports_workspace_code_or_opens_sockets(workspace: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "asyncguard",
            "check",
            "--python",
            sys.prefix,
            "--format",
            "json",
            "--no-cache",
        ],
        cwd=workspace,
        env=audited_env(workspace),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    targets = [f["target"] for f in json.loads(result.stdout)["findings"]]
    assert "requests.api.get" in targets
    assert not (workspace / "app" / "IMPORTED").exists()
    recorded = events(workspace)
    assert network(recorded) == []
    # jedi's helper process is the environment's own interpreter, never a workspace file.
    for event, args in recorded:
        if event == "subprocess.Popen":
            assert not any(str(workspace) in a for a in args), args


async def test_the_server_changes_no_file_and_opens_no_socket(workspace: Path) -> None:
    before = snapshot(workspace)
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "asyncguard", "lsp"],
        server_env=audited_env(workspace),
        client_factory=make_client,
    )
    client = await config.start()
    try:
        await client.initialize_session(
            initialize_params(workspace, client_capabilities("visual-studio-code"))
        )
        uri = open_document(client, workspace / "app" / "routes.py")
        diagnostics = await wait_for_publish(client, uri, version=1)
        assert any(d.code == "AG102" for d in diagnostics)
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostics[-1].range,
                context=types.CodeActionContext(diagnostics=diagnostics),
            )
        )
        assert actions, "fixes are offered"
        await asyncio.wait_for(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="asyncguard.scanWorkspace")
            ),
            120,
        )
        await client.shutdown_session()
    finally:
        await client.stop()
    # Offered, never applied: the files are exactly as they were, and nothing was added.
    assert snapshot(workspace) == before
    assert not (workspace / "app" / "IMPORTED").exists()
    assert network(events(workspace)) == []


def test_no_socket_module_use_by_the_engine_itself() -> None:
    # The engine has no reason to talk to the network: it never imports socket-using clients.
    source = Path(__file__).parents[1] / "server" / "asyncguard"
    offenders = [
        str(p.relative_to(source))
        for p in source.rglob("*.py")
        if any(
            name in p.read_text() for name in ("import socket", "import urllib.request", "import http.client")
        )
    ]
    assert offenders == []
