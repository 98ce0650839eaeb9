"""Shared helpers: write small projects to disk and analyse them with the real engine."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from asyncguard.config import Config
from asyncguard.engine.analyzer import Analyzer
from asyncguard.engine.environment import EnvironmentChoice
from asyncguard.engine.findings import Finding
from asyncguard.engine.project import Project

# The test interpreter has requests, httpx, SQLAlchemy, FastAPI... installed: jedi resolves
# them as it would in a user's venv.
RUNNING = EnvironmentChoice(Path(sys.prefix), "explicit")


def write_project(root: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")
        paths.append(path)
    return paths


def analyze_project(
    root: Path,
    files: dict[str, str],
    config: Config | None = None,
    environment: EnvironmentChoice = RUNNING,
) -> list[Finding]:
    paths = write_project(root, files)
    project = Project(root, paths)
    analyzer = Analyzer(project, config or Config(), environment)
    analyzer.prepare()
    findings: list[Finding] = []
    for path in paths:
        findings.extend(analyzer.check_path(path).findings)
    return sorted(findings, key=Finding.sort_key)


@pytest.fixture
def analyze(tmp_path: Path):  # type: ignore[no-untyped-def]
    """analyze(code) -> findings for a one-module project; analyze(files={...}) for several."""

    def run(code: str | None = None, files: dict[str, str] | None = None, config: Config | None = None):  # type: ignore[no-untyped-def]
        project_files = dict(files or {})
        if code is not None:
            project_files["app.py"] = code
        return analyze_project(tmp_path, project_files, config)

    return run


def brief(findings: list[Finding]) -> list[tuple[int, str, str]]:
    """(line, code, target) triples: what a user sees in a listing."""
    return [(f.span.line, f.code, f.target) for f in findings]


@pytest.fixture(scope="module")
def snippet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the catalog-name snippets jedi resolves, one per test module."""
    return tmp_path_factory.mktemp("snippets")
