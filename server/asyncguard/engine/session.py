"""One whole-program check: discover files, pick the environment, analyse, collect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from .analyzer import Analyzer
from .environment import choose_environment, jedi_environment
from .findings import Finding
from .project import Project, discover_files

_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def project_root(targets: list[Path]) -> Path:
    """The nearest folder above the first target that looks like a project root."""
    start = targets[0].absolute() if targets else Path.cwd()
    if start.is_file():
        start = start.parent
    for candidate in (start, *start.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return start


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0


class CheckRun:
    def __init__(
        self, root: Path, config: Config, *, jobs: int | None = None, use_cache: bool = True
    ) -> None:
        self.root = root.absolute()
        self.config = config
        self.jobs = jobs
        self.use_cache = use_cache

    def check(self, targets: list[Path], progress: Callable[[int, int], None] | None = None) -> CheckResult:
        result = CheckResult()
        files, errors = discover_files(targets, self.root, self.config.exclude)
        result.errors.extend(errors)
        environment = choose_environment(self.root, self.config.python)
        jedi_environment(environment)  # a broken environment is an error before any work
        project = Project(self.root, files)
        analyzer = Analyzer(project, self.config, environment)
        analyzer.prepare()
        for number, path in enumerate(files, start=1):
            report = analyzer.check_path(path)
            if report.error:
                result.errors.append(report.error)
            elif report.syntax_error:
                result.warnings.append(f"{path}: {report.syntax_error}; checked the parts that parse")
            result.findings.extend(report.findings)
            if progress is not None:
                progress(number, len(files))
        result.files = len(files)
        result.findings.sort(key=Finding.sort_key)
        return result
