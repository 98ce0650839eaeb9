"""The analysis side of the server: owns the project and the analyzer, runs only on the
single worker thread (jedi is not thread-safe). No LSP types here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..config import Config, ConfigError, find_pyproject, load_pyproject
from ..engine.analyzer import Analyzer
from ..engine.environment import (
    EnvironmentChoice,
    PythonEnvironmentError,
    choose_environment,
    jedi_environment,
)
from ..engine.findings import Finding
from ..engine.model import ModuleInfo
from ..engine.project import Project, discover_files

log = logging.getLogger("asyncguard.service")
T = TypeVar("T")


class Superseded(Exception):
    """The document changed while it was being analysed: the result would be stale."""


@dataclass
class DocumentResult:
    path: str
    findings: list[Finding]
    module: ModuleInfo | None
    # Workspace files the findings depend on (chains, resolved helpers).
    depends_on: set[str] = field(default_factory=set)
    error: str | None = None
    seconds: float = 0.0


class Worker:
    """One thread for all analysis; callers on the event loop await its futures."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asyncguard-analysis")
        self.thread_id: int | None = None
        self._executor.submit(self._remember_thread).result()

    def _remember_thread(self) -> None:
        self.thread_id = threading.get_ident()

    def submit(self, func: Callable[..., T], *args: Any) -> Future[T]:
        return self._executor.submit(func, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class AnalysisService:
    def __init__(self, root: Path, config: Config, *, trusted: bool = True) -> None:
        self.root = root.absolute()
        self.base_config = config
        self.trusted = trusted
        self.config = config
        self.messages: list[str] = []  # one-line problems for the user (environment, pyproject)
        self.environment: EnvironmentChoice | None = None
        self.project = Project(self.root)
        self.analyzer: Analyzer | None = None
        self.indexed = False

    # ---- setup --------------------------------------------------------------------------
    def configure(self, overrides: dict[str, Any]) -> None:
        """(Re)build the analyzer from pyproject + editor overrides. Never raises."""
        self.messages = []
        config = self.base_config
        pyproject = find_pyproject(self.root)
        if pyproject is not None:
            try:
                config = config.merged(load_pyproject(pyproject))
            except ConfigError as exc:
                self.messages.append(f"asyncguard: {exc}; using defaults for it")
        config = config.merged(overrides)
        self.config = config
        self.environment = self._environment(config)
        self.analyzer = Analyzer(self.project, config, self.environment, jedi_budget=5.0)
        if self.indexed:
            self.analyzer.prepare()

    def _environment(self, config: Config) -> EnvironmentChoice | None:
        explicit = config.python
        try:
            if not self.trusted and not explicit:
                # An untrusted workspace chooses nothing that runs: no .venv interpreter.
                choice = EnvironmentChoice(None, "running interpreter")
            else:
                choice = choose_environment(self.root, explicit)
            jedi_environment(choice)
            return choice
        except PythonEnvironmentError as exc:
            self.messages.append(
                f"asyncguard: {exc}. Falling back to the interpreter running asyncguard: "
                "calls into packages it lacks are not resolved."
            )
        fallback = EnvironmentChoice(None, "running interpreter")
        try:
            jedi_environment(fallback)
        except PythonEnvironmentError as exc:  # pragma: no cover - our own interpreter
            self.messages.append(f"asyncguard: {exc}")
            return None
        return fallback

    def index(self, paths: list[Path] | None = None) -> int:
        """Register every Python file of the workspace and index names for the resolver."""
        files, _ = discover_files(paths or [self.root], self.root, self.config.exclude)
        for path in files:
            self.project.add_file(path)
        assert self.analyzer is not None
        self.analyzer.prepare()
        self.indexed = True
        return len(files)

    # ---- documents ----------------------------------------------------------------------
    def analyze(
        self, path: Path, text: str, is_current: Callable[[], bool], cheap: bool = False
    ) -> DocumentResult:
        """Findings for a document version. 'cheap' leaves out what only jedi can resolve."""
        assert self.analyzer is not None
        started = time.perf_counter()
        if self.project.set_overlay(path, text):
            self.analyzer.invalidate(path)
        module = self.project.module(path)
        if module is None:
            return DocumentResult(str(path), [], None, error=self.project.error(path))
        with self.project.recording() as touched:
            if cheap:
                with self.analyzer.resolver.cheap_only():
                    report = self.analyzer.check_module(module, should_stop=lambda: not is_current())
                # Helper summaries computed without jedi are incomplete: not for later.
                self.analyzer.reach.forget()
            else:
                report = self.analyzer.check_module(module, should_stop=lambda: not is_current())
        if not is_current():
            raise Superseded()
        depends = {p for p in touched if p != str(path.absolute())}
        return DocumentResult(
            str(path),
            report.findings,
            module,
            depends_on=depends,
            error=None,
            seconds=time.perf_counter() - started,
        )

    def close(self, path: Path) -> None:
        """The editor closed the document: the disk is the truth again."""
        self.project.set_overlay(path, None)
        if self.analyzer is not None:
            self.analyzer.invalidate(path)

    def file_changed(self, path: Path) -> None:
        """A file changed on disk (or was saved) outside an open buffer."""
        if path.suffix == ".py":
            self.project.add_file(path) if path.exists() else None
            if self.analyzer is not None:
                self.analyzer.invalidate(path)

    def check_file(self, path: Path) -> DocumentResult:
        assert self.analyzer is not None
        report = self.analyzer.check_path(path)
        return DocumentResult(str(path), report.findings, self.project.module(path), error=report.error)

    def workspace_files(self) -> list[Path]:
        files, _ = discover_files([self.root], self.root, self.config.exclude)
        return files
