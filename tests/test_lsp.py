"""The language server end to end: a real client over stdio, push mode (no pull support)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from asyncguard.fixes.edits import compiles
from lsp_support import (
    apply_text_edits,
    change_document,
    config,
    edits_of,
    initialize_params,
    open_document,
    wait_for_publish,
    write,
)
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

MAIN = """
import time

import requests
from fastapi import FastAPI, Request

from .services import sync_profile

app = FastAPI()


@app.get("/items")
async def items(request: Request, url: str):
    payload = await request.json()
    response = requests.get(url, timeout=5)
    return response.json() | payload


@app.get("/profile/{user_id}")
async def profile(user_id: int):
    await app.router.startup()
    return sync_profile(user_id)


async def pause():
    time.sleep(0.5)
"""

SERVICES = """
import requests


def _fetch(user_id: int) -> dict:
    return requests.get(f"https://api.example.com/users/{user_id}").json()


def sync_profile(user_id: int) -> dict:
    return _fetch(user_id)
"""

CLEAN = """
import asyncio


async def fine():
    await asyncio.sleep(1)
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp_push")
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    write(root, "app/__init__.py", "")
    write(root, "app/main.py", MAIN)
    write(root, "app/services.py", SERVICES)
    write(root, "app/clean.py", CLEAN)
    write(root, "app/burst.py", "import time\n\n\nasync def f():\n    time.sleep(0)\n")
    return root


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(
        initialize_params(workspace, client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
async def main_diagnostics(client: LanguageClient, workspace: Path) -> list[types.Diagnostic]:
    uri = open_document(client, workspace / "app/main.py")
    return await wait_for_publish(client, uri, version=1)


async def test_diagnostic_range_message_code_and_link(main_diagnostics: list[types.Diagnostic]) -> None:
    first = main_diagnostics[0]
    assert first.range == types.Range(
        start=types.Position(line=13, character=15), end=types.Position(line=13, character=27)
    )
    assert first.message == "requests.api.get blocks the event loop in async route GET /items"
    assert first.code == "AG102"
    assert first.source == "asyncguard"
    assert first.severity == types.DiagnosticSeverity.Warning
    assert first.code_description is not None
    assert first.code_description.href.endswith("/docs/rules/AG102.md")
    assert first.data["target"] == "requests.api.get"
    assert first.data["fix"]["awaitable"] is True
    assert first.data["version"] == 1


async def test_every_finding_of_the_file_is_published(main_diagnostics: list[types.Diagnostic]) -> None:
    assert [(d.range.start.line, d.code, d.message) for d in main_diagnostics] == [
        (13, "AG102", "requests.api.get blocks the event loop in async route GET /items"),
        (
            20,
            "AG102",
            "sync_profile blocks the event loop in async route GET /profile/{user_id}: "
            "it reaches requests.api.get 2 calls down",
        ),
        (24, "AG101", "time.sleep blocks the event loop in async function pause"),
    ]


async def test_chain_hops_are_related_information(
    main_diagnostics: list[types.Diagnostic], workspace: Path
) -> None:
    chain = main_diagnostics[1]
    related = chain.related_information or []
    services = (workspace / "app/services.py").as_uri()
    assert [(r.location.uri, r.location.range.start.line, r.message) for r in related] == [
        (services, 8, "1. sync_profile calls app.services._fetch"),
        (services, 4, "2. _fetch calls requests.api.get"),
    ]


# A form feed, a '\u2028' in a string and a '\x85' in a comment: none of them ends a line for
# Python or for LSP (str.splitlines breaks at all three).
SEPARATORS = (
    'import time\n\x0c\nBANNER = "one\u2028two\x1c"  # \x85\n\n\n'
    'async def wait():\n    label = "éé"; time.sleep(0.5)\n'
)


async def test_lines_are_counted_as_python_and_lsp_count_them(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "app/separators.py"
    path.write_text(SEPARATORS, encoding="utf-8")
    uri = open_document(client, path, text=SEPARATORS)
    diagnostics = await wait_for_publish(client, uri, version=1)
    assert [(d.range, d.code) for d in diagnostics] == [
        (
            types.Range(start=types.Position(line=6, character=18), end=types.Position(line=6, character=28)),
            "AG101",
        )
    ]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert [a.title for a in actions][:1] == ["Use await asyncio.sleep(...)"]
    text = apply_text_edits(SEPARATORS, edits_of(actions[0], uri))
    assert text == "import asyncio\n" + SEPARATORS.replace("time.sleep(0.5)", "await asyncio.sleep(0.5)")
    assert compiles(text)


LANGCHAIN_ROUTE = (
    "from fastapi import FastAPI\n"
    "from langchain_openai import ChatOpenAI\n\n"
    "app = FastAPI()\n"
    'llm = ChatOpenAI(model="gpt-4o-mini")\n\n\n'
    '@app.post("/ask")\n'
    "async def ask(question: str):\n"
    '    return {"answer": llm.invoke(question).content}\n'
)


async def test_a_langchain_call_is_fixed_with_its_async_twin(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "app/ask.py"
    path.write_text(LANGCHAIN_ROUTE, encoding="utf-8")
    uri = open_document(client, path, text=LANGCHAIN_ROUTE)
    # jedi loads LangChain on first use: the complete result follows the first publish.
    diagnostics = await wait_for_publish(client, uri, version=1, settle=5)
    call = [d for d in diagnostics if d.code == "AG102"]
    assert [(d.range.start.line, d.range.start.character, d.range.end.character) for d in call] == [
        (9, 22, 32)
    ]
    assert call[0].message == (
        "langchain_core.language_models.chat_models.BaseChatModel.invoke blocks the event loop in"
        " async route POST /ask"
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=call[0].range,
            context=types.CodeActionContext(diagnostics=call),
        )
    )
    assert [a.title for a in actions][:2] == [
        "Use the async twin: await llm.ainvoke(...)",
        "Run llm.invoke in a thread: await asyncio.to_thread(llm.invoke, ...)",
    ]
    assert actions[0].is_preferred is True
    text = apply_text_edits(LANGCHAIN_ROUTE, edits_of(actions[0], uri))
    assert text == LANGCHAIN_ROUTE.replace(
        "llm.invoke(question).content", "(await llm.ainvoke(question)).content"
    )
    assert compiles(text)


async def test_clean_file_gets_an_empty_list(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "app/clean.py")
    assert await wait_for_publish(client, uri, version=1) == []


async def test_hover_explains_the_call(client: LanguageClient, workspace: Path, main_diagnostics) -> None:
    uri = (workspace / "app/main.py").as_uri()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=13, character=20),
        )
    )
    assert hover is not None
    text = hover.contents.value
    assert text.startswith("**`requests.api.get`**: a blocking HTTP request (AG102, warning)")
    assert "every other request served by this process stalls" in text
    assert "**Runs in:** GET /items" in text
    assert "- Run requests.get in a thread: await asyncio.to_thread(requests.get, ...) (quick fix)" in text
    assert "[AG102 blocking-http](https://" in text


async def test_hover_on_chain_links_each_hop(
    client: LanguageClient, workspace: Path, main_diagnostics
) -> None:
    uri = (workspace / "app/main.py").as_uri()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=20, character=13),
        )
    )
    text = hover.contents.value
    services = (workspace / "app/services.py").as_uri()
    assert f"2. [services.py:9]({services}#L9,12) `sync_profile` calls `app.services._fetch`" in text
    assert f"3. [services.py:5]({services}#L5,12) `_fetch` calls `requests.api.get`" in text


async def test_hover_on_route_name_summarises(
    client: LanguageClient, workspace: Path, main_diagnostics
) -> None:
    uri = (workspace / "app/main.py").as_uri()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=11, character=11),
        )
    )
    assert hover is not None
    assert hover.contents.value.startswith(
        "**async route GET /items** makes 1 blocking call on the event loop:"
    )
    assert "line 14: `requests.api.get` (AG102, warning)" in hover.contents.value


async def test_quick_fix_wraps_in_to_thread_and_compiles(
    client: LanguageClient, workspace: Path, main_diagnostics
) -> None:
    uri = (workspace / "app/main.py").as_uri()
    diagnostic = main_diagnostics[0]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    titles = [a.title for a in actions]
    assert titles[:3] == [
        "Run requests.get in a thread: await asyncio.to_thread(requests.get, ...)",
        "Run requests.get in Starlette's threadpool: await run_in_threadpool(...)",
        "Ignore AG102 on this line",
    ]
    wrap = actions[0]
    assert wrap.kind == types.CodeActionKind.QuickFix
    assert wrap.is_preferred is True
    assert wrap.edit.document_changes[0].text_document.version == 1
    text = apply_text_edits((workspace / "app/main.py").read_text(), edits_of(wrap, uri))
    assert "    response = await asyncio.to_thread(requests.get, url, timeout=5)\n" in text
    assert text.startswith("import asyncio\nimport time\n")
    assert compiles(text)


async def test_fix_all_in_one_edit(client: LanguageClient, workspace: Path, main_diagnostics) -> None:
    uri = (workspace / "app/main.py").as_uri()
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.asyncguard"]),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.asyncguard"]
    text = apply_text_edits((workspace / "app/main.py").read_text(), edits_of(actions[0], uri))
    assert "    response = await asyncio.to_thread(requests.get, url, timeout=5)\n" in text
    assert "    return await asyncio.to_thread(sync_profile, user_id)\n" in text
    assert "    await asyncio.sleep(0.5)\n" in text
    assert text.count("import asyncio\n") == 1
    assert compiles(text)


async def test_burst_of_changes_publishes_only_the_newest_version(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "app/burst.py"
    uri = open_document(client, path)
    await wait_for_publish(client, uri, version=1)
    start = len(client.published)
    for version in range(2, 52):
        change_document(client, uri, version, f"import time\n\n\nasync def f():\n    time.sleep({version})\n")
    diagnostics = await wait_for_publish(client, uri, version=51)
    await asyncio.sleep(0.5)
    burst = [(u, v) for u, v, _ in client.published[start:] if u == uri]
    assert burst == [(uri, 51)]
    assert [d.range.start.line for d in diagnostics] == [4]


async def test_code_action_for_an_old_version_offers_nothing(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "app/stale.py"
    write(path.parent.parent, "app/stale.py", "import time\n\n\nasync def f():\n    time.sleep(1)\n")
    uri = open_document(client, path)
    diagnostics = await wait_for_publish(client, uri, version=1)
    change_document(client, uri, 2, "import time\n\n\nasync def f():\n    x = 1\n    time.sleep(1)\n")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert not actions
    await wait_for_publish(client, uri, version=2)


async def test_configuration_change_applies_severity(
    client: LanguageClient, workspace: Path, main_diagnostics
) -> None:
    uri = (workspace / "app/clean.py").as_uri()
    path = workspace / "app/sev.py"
    write(workspace, "app/sev.py", "import time\n\n\nasync def f():\n    time.sleep(1)\n")
    uri = open_document(client, path)
    first = await wait_for_publish(client, uri, version=1)
    assert first[0].severity == types.DiagnosticSeverity.Warning
    start = len(client.published)
    client.set_configuration({"severity": {"sleep": "error"}}, section="asyncguard")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))

    async def republished() -> list[types.Diagnostic]:
        while True:
            for u, _, diagnostics in client.published[start:]:
                if u == uri:
                    return diagnostics
            await asyncio.sleep(0.05)

    again = await asyncio.wait_for(republished(), 60)
    assert again[0].severity == types.DiagnosticSeverity.Error
    client.set_configuration({"severity": {"sleep": "banana"}}, section="asyncguard")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))

    async def message() -> str:
        while True:
            for shown in client.messages:
                if "banana" in shown.message:
                    return shown.message
            await asyncio.sleep(0.05)

    assert (await asyncio.wait_for(message(), 60)) == (
        "asyncguard.severity.sleep must be one of 'error', 'warning', 'info', 'hint', 'off', not 'banana'"
    )
    client.set_configuration({}, section="asyncguard")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
