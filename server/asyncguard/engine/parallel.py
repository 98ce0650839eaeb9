"""Cold runs on several cores: worker processes analyse a share of the modules each (the slow,
jedi-bound part is resolving their calls and the helpers those reach); the parent then analyses
everything again with every answer in hand, which takes no jedi at all."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from ..config import Config
from .analyzer import Analyzer
from .cache import _resolution_from_json, _resolution_to_json
from .catalog import Catalog
from .environment import EnvironmentChoice
from .project import Project
from .resolution import CallKey, Resolution

Answers = dict[str, tuple[list[tuple[list[Any], list[Any]]], list[str]]]


def _resolve_share(
    root: str, files: list[str], config: Config, environment: EnvironmentChoice, share: list[str]
) -> Answers:
    project = Project(Path(root), [Path(f) for f in files])
    analyzer = Analyzer(project, config, environment, shared_inference=True)
    analyzer.prepare()
    resolver = analyzer.resolver
    for path in share:
        # Exactly what the analysis needs: the async bodies and the helpers they reach.
        analyzer.check_path(Path(path))
    answers: Answers = {}
    for path, entries in resolver.export().items():
        answers[path] = (
            [[list(key[1:]), _resolution_to_json(resolution)] for key, resolution in entries],
            sorted(resolver.dependencies(path)),
        )
    return answers


def _shares(project: Project, paths: list[Path], jobs: int) -> list[list[str]]:
    """Balance by the number of calls in async bodies, largest modules first."""
    sizes = []
    for path in paths:
        module = project.module(path)
        calls = sum(len(f.calls) for f in module.functions.values() if f.is_async) if module else 0
        sizes.append((calls, str(path)))
    shares: list[list[str]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for calls, path in sorted(sizes, reverse=True):
        target = loads.index(min(loads))
        shares[target].append(path)
        loads[target] += calls + 1
    return [share for share in shares if share]


def resolve_in_parallel(
    project: Project,
    config: Config,
    environment: EnvironmentChoice,
    paths: list[Path],
    jobs: int,
    catalog: Catalog,
    progress=None,  # type: ignore[no-untyped-def]
) -> dict[str, tuple[list[tuple[CallKey, Resolution]], set[str]]]:
    files = [str(p) for p in project.files]
    shares = _shares(project, paths, jobs)
    merged: dict[str, tuple[list[tuple[CallKey, Resolution]], set[str]]] = {}
    # 'spawn': a forked child would share the parent's jedi helper process and its pipes.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [
            pool.submit(_resolve_share, str(project.root), files, config, environment, share)
            for share in shares
        ]
        for done, future in enumerate(as_completed(futures), start=1):
            answers = future.result()
            for path, (entries, depends) in answers.items():
                decoded: list[tuple[CallKey, Resolution]] = []
                for key, value in entries:
                    resolution = _resolution_from_json(value, catalog)
                    if resolution is not None:
                        decoded.append(((path, *key), resolution))  # type: ignore[arg-type]
                known = merged.setdefault(path, ([], set()))
                known[0].extend(decoded)
                known[1].update(depends)
            if progress is not None:
                progress(done, len(futures))
    return merged
