"""Load: a burst of edits, a thousand open documents, repeated workspace scans, and requests
that never go unanswered; the server never publishes a stale version."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import change_document, config, initialize_params, open_document, wait_for_publish, write
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

SMALL = "import time\n\n\nasync def handler_{n}():\n    time.sleep({n})\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp_load")
    (root / "pyproject.toml").write_text("[project]\nname = 'load'\n")
    for n in range(1000):
        write(root, f"pkg/m{n:04d}.py", SMALL.format(n=n))
    return root


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(
        initialize_params(workspace, client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()


def rss_kb(client: LanguageClient) -> int:
    pid = client._server.pid  # type: ignore[union-attr]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def test_two_hundred_changes_in_a_burst_publish_only_the_newest(
    client: LanguageClient, workspace: Path
) -> None:
    path = write(workspace, "burst.py", SMALL.format(n=0))
    uri = open_document(client, path)
    await wait_for_publish(client, uri, version=1)
    start = len(client.published)  # type: ignore[attr-defined]
    for version in range(2, 202):
        change_document(client, uri, version, SMALL.format(n=version) + "\n" * (version % 7))
    diagnostics = await wait_for_publish(client, uri, version=201)
    await asyncio.sleep(0.5)
    versions = [v for u, v, _ in client.published[start:] if u == uri]  # type: ignore[attr-defined]
    assert versions == [201]
    assert diagnostics[0].message == "time.sleep blocks the event loop in async function handler_201"


async def test_a_thousand_open_documents_each_get_diagnostics(
    client: LanguageClient, workspace: Path
) -> None:
    uris = [open_document(client, workspace / f"pkg/m{n:04d}.py") for n in range(1000)]

    async def all_published() -> None:
        while True:
            seen = {u for u, v, _ in client.published if v == 1}  # type: ignore[attr-defined]
            if all(uri in seen for uri in uris):
                return
            await asyncio.sleep(0.1)

    await asyncio.wait_for(all_published(), 300)
    last = uris[-1]
    started = time.monotonic()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=last), position=types.Position(line=4, character=6)
        )
    )
    assert hover is not None and "time.sleep" in hover.contents.value
    assert time.monotonic() - started < 10


async def test_repeated_workspace_scans_keep_memory_steady(client: LanguageClient, workspace: Path) -> None:
    command = types.ExecuteCommandParams(command="asyncguard.scanWorkspace")
    first = await asyncio.wait_for(client.workspace_execute_command_async(command), 300)
    after_first = rss_kb(client)
    for _ in range(2):
        again = await asyncio.wait_for(client.workspace_execute_command_async(command), 300)
        assert again == first
    after_third = rss_kb(client)
    assert first["files"] >= 1000
    # Repeating the scan reuses what the first one built: memory does not keep growing.
    assert after_third < after_first * 1.15, (after_first, after_third)
