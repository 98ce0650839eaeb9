"""Cold runs on several cores: worker processes check modules (resolving their calls and the
helpers those reach, the slow jedi-bound part) and send back each module's report and, at the
end, every answer for the on-disk cache. A worker has the whole project, so its report on a
module is the one this process would make; only what a failed worker leaves is checked here.

Each worker starts on a share of neighbouring files (a package's modules call the same helpers
and infer through the same libraries, which a worker then loads once instead of both), largest
first, and a worker whose share is done takes the smallest modules left in the others': what a
module costs is known only once jedi has been through it, so fixed shares alone left one core
idle for a third of the run on real applications, and one shared queue of mixed modules made
both workers load nearly everything."""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Config
from .analyzer import Analyzer, ModuleReport
from .cache import entries_to_json, entry_from_json
from .catalog import Catalog
from .environment import EnvironmentChoice
from .gc_tuning import fewer_collections
from .project import Project
from .resolution import CallKey, Resolution

log = logging.getLogger("asyncguard.parallel")

Answers = dict[str, tuple[list[tuple[list[Any], list[Any]]], list[str]]]
Merged = dict[str, tuple[list[tuple[CallKey, Resolution]], set[str]]]
Reports = dict[str, ModuleReport]  # by the path as given in 'paths'

# How often the parent looks up from its own work to collect what the workers sent.
_POLL_SECONDS = 0.05


def _export(analyzer: Analyzer) -> Answers:
    resolver = analyzer.resolver
    answers: Answers = {}
    for path, entries in resolver.export().items():
        answers[path] = (
            entries_to_json(entries),
            sorted(resolver.dependencies(path)),
        )
    return answers


def _worker(
    number: int,
    root: str,
    files: list[str],
    config: Config,
    environment: EnvironmentChoice,
    order: list[str],
    shares: Any,
    results: Any,
) -> None:
    code = 0
    try:
        with fewer_collections():
            project = Project(Path(root), [Path(f) for f in files])
            analyzer = Analyzer(project, config, environment, shared_inference=True)
            analyzer.prepare()
            while (path := _next_module(number, order, shares)) is not None:
                # Exactly what the analysis needs: the async bodies and the helpers they reach.
                results.put((number, "done", (path, analyzer.check_path(Path(path)))))
            results.put((number, "answers", _export(analyzer)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which resolves the rest itself
        results.put((number, "failed", f"{type(exc).__name__}: {exc}"))
        code = 1
    finally:
        # Wait until everything sent is in the pipe, then leave without freeing the syntax
        # trees and jedi caches one object at a time: that teardown took longer than a fifth
        # of the work itself on a real application.
        results.close()
        results.join_thread()
        os._exit(code)


def _next_module(number: int, order: list[str], shares: Any) -> str | None:
    """The next module of this worker's share (largest first), else the smallest left in the
    share with most left."""
    with shares.get_lock():
        start, end = shares[2 * number], shares[2 * number + 1]
        if start < end:
            shares[2 * number] = start + 1
            return order[start]
        other = max(range(len(shares) // 2), key=lambda j: shares[2 * j + 1] - shares[2 * j])
        start, end = shares[2 * other], shares[2 * other + 1]
        if start < end:
            shares[2 * other + 1] = end - 1
            return order[end - 1]
    return None


def _shares(paths: list[Path], jobs: int) -> tuple[list[str], list[int]]:
    """Neighbouring files (a package's modules share helpers and libraries) in one share per
    worker, of about equal size, each largest first; and each share's bounds in the list."""

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    sized = sorted((str(p), size(p)) for p in paths)
    total = sum(s for _, s in sized) or 1
    order: list[str] = []
    bounds: list[int] = []
    taken = 0
    for number in range(jobs):
        share: list[tuple[str, int]] = []
        while sized and (number == jobs - 1 or taken + sized[0][1] / 2 <= total * (number + 1) / jobs):
            item = sized.pop(0)
            taken += item[1]
            share.append(item)
        bounds += [len(order), len(order) + len(share)]
        order += [name for name, _ in sorted(share, key=lambda item: -item[1])]
    return order, bounds


def resolve_in_parallel(
    project: Project,
    config: Config,
    environment: EnvironmentChoice,
    paths: list[Path],
    jobs: int,
    catalog: Catalog,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], bool] | None = None,
) -> tuple[Merged, Reports]:
    """Reports on 'paths' and the answers behind them, from 'jobs' worker processes.
    'meanwhile' is called while waiting (one small step of the parent's own work per call;
    False once there is nothing left).

    A worker that fails or dies loses its reports with its answers (the cache must hold the
    answers behind every report it keeps): the caller checks whatever is missing itself."""
    files = [str(p) for p in project.files]
    # 'spawn': a forked child would share the parent's jedi helper process and its pipes.
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    order, bounds = _shares(paths, jobs)
    shares = context.Array("i", bounds)
    workers = []
    for number in range(jobs):
        worker = context.Process(
            target=_worker,
            args=(number, str(project.root), files, config, environment, order, shares, results),
            daemon=True,
        )
        worker.start()
        workers.append(worker)

    merged: Merged = {}
    reports: Reports = {}
    pending: dict[int, list[tuple[str, ModuleReport]]] = {number: [] for number in range(jobs)}
    finished: set[int] = set()
    done = 0
    busy = meanwhile is not None
    completed = False
    try:
        while len(finished) < len(workers):
            try:
                number, kind, payload = results.get(timeout=0 if busy else _POLL_SECONDS)
            except queue.Empty:
                if busy:
                    busy = bool(meanwhile())  # type: ignore[misc]
                    continue
                dead = {n for n, w in enumerate(workers) if n not in finished and not w.is_alive()}
                if dead and results.empty():
                    finished |= dead  # died without a word (killed, out of memory)
                continue
            if kind == "done":
                pending[number].append(payload)
                done += 1
                if progress is not None:
                    progress(done, len(paths))
            elif kind == "answers":
                finished.add(number)
                _merge(merged, payload, catalog)
                reports.update(pending[number])
            else:
                finished.add(number)
                log.warning("a worker process failed (%s); the rest is resolved in this process", payload)
        completed = True
    finally:
        # Interrupted (Ctrl-C, an error here): the workers must not outlive the run, and this
        # process leaves without the exit handlers that would otherwise stop them.
        for worker in workers:
            if not completed and worker.is_alive():
                worker.kill()
            worker.join(timeout=5)
    return merged, reports


def _merge(merged: Merged, answers: Answers, catalog: Catalog) -> None:
    for path, (entries, depends) in answers.items():
        decoded = [
            entry
            for key, value in entries
            if (entry := entry_from_json(path, key, value, catalog)) is not None
        ]
        known = merged.setdefault(path, ([], set()))
        known[0].extend(decoded)
        known[1].update(depends)
