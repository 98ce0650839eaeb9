"""Editor latency: the real server over stdio, a 2,000-line FastAPI module, first open and 50
single-line edits at different places. Prints didOpen->diagnostics and didChange->diagnostics
p50/p95/max.

    python benchmarks/editor_latency.py [--opens 5] [--edits 50] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).parent))
from gen_module import generate


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("asyncguard-bench", "1")
        self.seen: dict[tuple[str, int | None], float] = {}
        self.latest: dict[str, list[types.Diagnostic]] = {}
        self.event = asyncio.Event()


def make_client() -> Client:
    client = Client()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        client.seen[(params.uri, params.version)] = time.perf_counter()
        client.latest[params.uri] = list(params.diagnostics)
        client.event.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        pass

    return client


async def wait_for(client: Client, uri: str, version: int, timeout: float = 120) -> float:
    deadline = time.perf_counter() + timeout
    while (uri, version) not in client.seen:
        client.event.clear()
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError(f"no diagnostics for {uri} v{version}")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(client.event.wait(), remaining)
    return client.seen[(uri, version)]


async def settle(client: Client, quiet: float = 1.5) -> None:
    """Wait until no diagnostics have arrived for 'quiet' seconds."""
    while True:
        count = len(client.seen)
        await asyncio.sleep(quiet)
        if len(client.seen) == count:
            return


async def start(root: Path) -> Client:
    client = make_client()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    await client.start_io(sys.executable, "-m", "asyncguard", "lsp", env=env)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            initialization_options={"python": sys.prefix},
        )
    )
    client.initialized(types.InitializedParams())
    return client


async def stop(client: Client) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def workspace(text: str) -> tuple[Path, Path]:
    root = Path(tempfile.mkdtemp(prefix="asyncguard-bench-"))
    (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    path = root / "app" / "orders.py"
    path.write_text(text)
    return root, path


def open_doc(client: Client, uri: str, text: str) -> float:
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    return started


def edit_lines(text: str, count: int, seed: int = 11) -> list[tuple[int, str]]:
    """(line index, new line) pairs: a realistic one-line edit each, all over the file."""
    lines = text.split("\n")
    rng = random.Random(seed)
    candidates = [
        i for i, line in enumerate(lines) if line.startswith("    ") and "=" in line and "==" not in line
    ]
    edits = []
    for index in sorted(rng.sample(candidates, count)):
        line = lines[index]
        edits.append((index, line + "  # edited"))
    rng.shuffle(edits)
    return edits


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {percentile(ms, 0.95):.0f} | {max(ms):.0f} |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opens", type=int, default=5, help="fresh servers to measure the first open on")
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--markdown", type=Path, help="append the table to this file")
    args = parser.parse_args()
    text = generate()
    opens: list[float] = []
    changes: list[float] = []
    for run in range(args.opens):
        root, path = workspace(text)
        client = await start(root)
        uri = path.as_uri()
        started = open_doc(client, uri, text)
        opens.append(await wait_for(client, uri, 1) - started)
        if run == 0:
            # "Once warm": the first open may still be refining its result with jedi.
            await settle(client)
            current = text.split("\n")
            for version, (index, line) in enumerate(edit_lines(text, args.edits), start=2):
                current[index] = line
                started = time.perf_counter()
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                        content_changes=[
                            types.TextDocumentContentChangePartial(
                                range=types.Range(
                                    start=types.Position(line=index, character=0),
                                    end=types.Position(line=index, character=len(text.split("\n")[index])),
                                ),
                                text=line,
                            )
                        ],
                    )
                )
                changes.append(await wait_for(client, uri, version) - started)
        await stop(client)
        shutil.rmtree(root, ignore_errors=True)
    table = [
        f"Editor latency: real server over stdio, {len(text.splitlines())}-line FastAPI module "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)",
        "",
        "| measure | samples | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
        summary("didOpen -> diagnostics (fresh server)", opens),
        summary("didChange -> diagnostics (one-line edit, warm)", changes),
    ]
    print("\n".join(table))
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(table) + "\n\n")


if __name__ == "__main__":
    asyncio.run(main())
