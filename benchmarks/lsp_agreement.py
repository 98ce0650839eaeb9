"""The editor and the CLI agree, and every finding can be acted on.

For a project (with its venv at .venv): `asyncguard check --format json`, then a real LSP
client that opens every Python file of the project. Reports: diagnostics that match the CLI's
findings, the share of flagged calls with a quick fix that turns the call into an offloaded
(or asyncio.sleep) form that compiles, the share with a hover, and didOpen -> diagnostics
p50/p95.

    python benchmarks/lsp_agreement.py PROJECT_ROOT
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from lsprotocol import types

sys.path.insert(0, str(Path(__file__).parent))
from editor_latency import Client, make_client, percentile, wait_for

OFFLOADED = ("asyncio.to_thread", "to_thread(", "asyncio.sleep", "run_in_threadpool", "_blocking_io")


def cli_findings(root: Path) -> set[tuple[str, int, str]]:
    out = subprocess.run(
        [sys.executable, "-m", "asyncguard", "check", "--format", "json", "--no-cache", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(out.stdout)
    return {(str((root / f["path"]).resolve()), f["line"], f["code"]) for f in data["findings"]}


def apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offsets[edit.range.start.line] + edit.range.start.character
        end = offsets[edit.range.end.line] + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
    return text


def compiles(text: str) -> bool:
    try:
        compile(text, "<fix>", "exec")
    except SyntaxError:
        return False
    return True


async def start(root: Path) -> Client:
    client = make_client()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    await client.start_io(sys.executable, "-m", "asyncguard", "lsp", env=env)
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        )
    )
    await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    client.initialized(types.InitializedParams())
    return client


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    args = parser.parse_args()
    root = args.root.resolve()
    expected = cli_findings(root)
    client = await start(root)
    files = sorted(
        p for p in root.rglob("*.py") if ".venv" not in p.parts and ".asyncguard_cache" not in p.parts
    )
    latencies: list[float] = []
    got: set[tuple[str, int, str]] = set()
    calls = fixed = hovered = shown = 0
    unfixed: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        uri = path.as_uri()
        started = time.perf_counter()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        await wait_for(client, uri, 1)
        latencies.append(time.perf_counter() - started)
        # A first open publishes what resolves without jedi at once, and again when jedi adds
        # something: wait until the server has been quiet for a moment.
        while True:
            seen = len(client.seen)
            await asyncio.sleep(3.0)
            if len(client.seen) == seen:
                break
        diagnostics = client.latest[uri]
        for diagnostic in diagnostics:
            shown += 1
            got.add((str(path.resolve()), diagnostic.range.start.line + 1, str(diagnostic.code)))
            hover = await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri), position=diagnostic.range.start
                )
            )
            hovered += bool(hover and hover.contents.value)
            if diagnostic.code == "AG301":
                continue
            calls += 1
            actions = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=diagnostic.range,
                    context=types.CodeActionContext(diagnostics=[diagnostic]),
                )
            )
            offloaded = False
            for action in actions or []:
                if action.edit is None or not action.edit.document_changes:
                    continue
                edits = [e for change in action.edit.document_changes for e in change.edits]
                result = apply(text, edits)
                added = any(result.count(marker) > text.count(marker) for marker in OFFLOADED)
                if (added or action.title.startswith("Pass ")) and compiles(result):
                    offloaded = True
                    break
            fixed += offloaded
            if not offloaded:
                where = f"{path.name}:{diagnostic.range.start.line + 1}"
                unfixed.append(f"{where} {diagnostic.code} {diagnostic.message[:90]}")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    # The CLI reports a finding's start line; the editor marks the callee, on the same line for
    # everything but calls that begin on an earlier line.
    matched = len(expected & got)
    ms = [x * 1000 for x in latencies]
    print(f"project: {root}")
    print(f"CLI findings: {len(expected)}, editor diagnostics: {len(got)}, matching: {matched}")
    print(f"only in CLI: {sorted(expected - got)[:10]}")
    print(f"only in editor: {sorted(got - expected)[:10]}")
    share = 100 * fixed / max(1, calls)
    print(f"flagged calls with an offloading fix that compiles: {fixed}/{calls} ({share:.1f}%)")
    print(f"diagnostics with a hover: {hovered}/{shown}")
    for line in unfixed:
        print(f"  no offloading fix: {line}")
    p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
    print(f"didOpen -> diagnostics over {len(ms)} files: p50 {p50:.0f} ms, p95 {p95:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
