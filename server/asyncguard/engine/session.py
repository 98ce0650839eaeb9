"""One whole-program check: discover files, pick the environment, reuse what the on-disk cache
knows, resolve the rest (on several cores when there is a lot), analyse, collect."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config import Config
from .cache import DiskCache, stat_key, text_hash
from .environment import choose_environment, fingerprint, jedi_environment
from .findings import Finding
from .gc_tuning import fewer_collections
from .project import Project, discover_files
from .source import SourceError

# Every worker pays jedi's cold start (loading the libraries it infers through) again: below
# this many modules to resolve, that costs more than the second core saves.
PARALLEL_MIN_MODULES = 150

_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")

Progress = Callable[[int, int], None]


def project_root(targets: list[Path]) -> Path:
    """The nearest folder above the first target that looks like a project root."""
    start = targets[0].absolute() if targets else Path.cwd()
    if start.is_file():
        start = start.parent
    for candidate in (start, *start.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    # No marker (an unpacked wheel, a scratch folder): the folder that holds the top package,
    # so that 'app.routes' keeps its package prefix.
    while (start / "__init__.py").is_file() and start != start.parent:
        start = start.parent
    return start


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    cached: bool = False  # the whole result came from the cache
    resolved_in_parallel: int = 0  # modules checked by worker processes


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


class CheckRun:
    def __init__(
        self, root: Path, config: Config, *, jobs: int | None = None, use_cache: bool = True
    ) -> None:
        self.root = root.absolute()
        self.config = config
        self.jobs = jobs if jobs is not None else default_jobs()
        self.use_cache = use_cache

    def check(self, targets: list[Path], progress: Progress | None = None) -> CheckResult:
        with fewer_collections():
            return self._check(targets, progress)

    @staticmethod
    def _cached(result: CheckResult, previous: tuple[list[Finding], list[str], list[str]]) -> CheckResult:
        result.findings, cached_errors, result.warnings = previous
        result.errors = cached_errors
        result.cached = True
        return result

    def _check(self, targets: list[Path], progress: Progress | None) -> CheckResult:
        result = CheckResult()
        files, errors = discover_files(targets, self.root, self.config.exclude)
        result.errors.extend(errors)
        result.files = len(files)
        environment = choose_environment(self.root, self.config.python)
        project = Project(self.root, files)
        cache: DiskCache | None = None
        extra = repr(sorted(str(t) for t in targets))
        # Files outside the checked ones that the last run depended on: part of the run's key.
        outside: list[Path] = []
        if self.use_cache:
            settings_key = repr(sorted(asdict(self.config).items()))
            cache = DiskCache(self.root, settings_key, fingerprint(environment))
            members = set(files)
            outside = [p for p in cache.outside_paths() if p not in members]
            unchanged = cache.hashes_from_stats([*files, *outside])
            previous = cache.load_run(cache.run_key(unchanged, extra)) if unchanged is not None else None
            if previous is not None:
                return self._cached(result, previous)

        hashes: dict[str, str] = {}
        read_at = time.time_ns()

        def read(path: Path, remember: bool) -> None:
            before = stat_key(path) if cache is not None else None
            try:
                text = project.text(path)
            except SourceError:
                # Gone or unreadable since: stands for a change of the file.
                hashes[str(path)] = "-"
                return
            if remember:
                project.remember_text(path, text)
            hashes[str(path)] = text_hash(text)
            if cache is not None:
                cache.remember(path, before, hashes[str(path)], read_at)

        for path in files:
            read(path, remember=True)
        for path in outside:
            read(path, remember=False)

        run_key = ""
        if cache is not None:
            cache.hashes = hashes
            run_key = cache.run_key(hashes, extra)
            previous = cache.load_run(run_key)
            if previous is not None:
                cache.refresh_stats()
                return self._cached(result, previous)

        # Only now: a run answered from the cache never loads jedi.
        from .analyzer import Analyzer, ModuleReport
        from .parallel import resolve_in_parallel

        jedi_environment(environment)  # a broken environment is an error before any work
        analyzer = Analyzer(project, self.config, environment, shared_inference=True)
        analyzer.prepare()
        missing: list[Path] = []
        for path in files:
            loaded = cache.load_module(str(path), analyzer.catalog) if cache is not None else None
            if loaded is None:
                missing.append(path)
            else:
                analyzer.resolver.preload(*loaded)
        reports: dict[str, ModuleReport] = {}
        if self.jobs > 1 and len(missing) >= PARALLEL_MIN_MODULES:
            # While the workers check the modules whose answers are not cached, this process
            # builds the models of the others: it checks those itself, with cached answers.
            unsent = set(missing)
            own = iter([path for path in files if path not in unsent])

            def build_one_model() -> bool:
                path = next(own, None)
                if path is None:
                    return False
                project.module(path)
                return True

            answers, reports = resolve_in_parallel(
                project,
                self.config,
                environment,
                missing,
                self.jobs,
                analyzer.catalog,
                progress,
                meanwhile=build_one_model,
            )
            for entries, depends in answers.values():
                analyzer.resolver.preload(entries, depends)
            result.resolved_in_parallel = len(reports)

        for number, path in enumerate(files, start=1):
            report = reports.get(str(path)) or analyzer.check_path(path)
            if report.error:
                result.errors.append(report.error)
            elif report.syntax_error:
                result.warnings.append(f"{path}: {report.syntax_error}; checked the parts that parse")
            result.findings.extend(report.findings)
            if progress is not None:
                progress(number, len(files))
        result.findings.sort(key=Finding.sort_key)

        if cache is not None:
            checked = {str(p) for p in files}
            beyond = {p for p in analyzer.resolver.touched() if p not in checked}
            for path in sorted(beyond - set(hashes)):
                read(Path(path), remember=False)
            exported = analyzer.resolver.export()
            for path in missing:
                key = str(path)
                cache.save_module(key, exported.get(key, []), analyzer.resolver.dependencies(key))
            run_key = cache.run_key({p: h for p, h in hashes.items() if p in checked or p in beyond}, extra)
            cache.save_run(run_key, result.findings, result.errors, result.warnings, beyond)
        return result
