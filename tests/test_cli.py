"""The CLI as CI and pre-commit run it: a real subprocess, real files, real output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

APP = textwrap.dedent(
    """
    import os
    import time

    import requests


    async def fetch(url: str):
        time.sleep(1)
        os.path.exists(url)
        return requests.get(url)  # asyncguard: ignore[AG104]


    async def quiet(url: str):
        requests.get(url)  # asyncguard: ignore


    async def partly(url: str):
        requests.get(url)  # asyncguard: ignore[AG101]
    """
).lstrip()

CLEAN = "import asyncio\n\n\nasync def ok():\n    await asyncio.sleep(1)\n"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        [sys.executable, "-m", "asyncguard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(APP)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_text_output_is_compiler_style_with_severity_and_summary(project: Path) -> None:
    result = run_cli("check", "--python", sys.prefix, cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "app/routes.py:8:5: AG101 [warning] time.sleep blocks the event loop in async function fetch",
        "app/routes.py:9:5: AG104 [info] os.path.exists briefly blocks the event loop in async function fetch"
        " (filesystem metadata)",
        "app/routes.py:10:12: AG102 [warning] requests.api.get blocks the event loop in async function fetch",
        "app/routes.py:18:5: AG102 [warning] requests.api.get blocks the event loop in async function partly",
        "Found 4 findings (3 warnings, 1 info) in 2 files.",
    ]


def test_json_output_shape(project: Path) -> None:
    result = run_cli("check", "--python", sys.prefix, "--format", "json", ".", cwd=project)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["errors"] == []
    first = payload["findings"][0]
    assert {
        k: first[k] for k in ("path", "line", "column", "end_line", "end_column", "code", "category")
    } == {
        "path": "app/routes.py",
        "line": 8,
        "column": 5,
        "end_line": 8,
        "end_column": 18,
        "code": "AG101",
        "category": "sleep",
    }
    assert first["target"] == "time.sleep"
    assert first["severity"] == "warning"
    assert first["message"] == "time.sleep blocks the event loop in async function fetch"
    assert first["chain"] == []
    assert [f["severity"] for f in payload["findings"]] == ["warning", "info", "warning", "warning"]
    # One finding per line, so that a diff of two runs shows findings, not fields.
    lines = result.stdout.splitlines()
    assert lines[:2] == ["{", '  "findings": [']
    assert [json.loads(line.strip().rstrip(",")) for line in lines[2:6]] == payload["findings"]
    assert lines[6:] == ["  ],", '  "errors": []', "}"]


def test_min_severity_hides_information_findings(project: Path) -> None:
    result = run_cli(
        "check", "--python", sys.prefix, "--format", "json", "--min-severity", "warning", cwd=project
    )
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert codes == ["AG101", "AG102", "AG102"]


def test_sarif_output_is_sarif_2_1_0(project: Path) -> None:
    result = run_cli("check", "--python", sys.prefix, "--format", "sarif", cwd=project)
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "asyncguard"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "AG102" in rule_ids
    first = run["results"][0]
    assert first["ruleId"] == "AG101"
    assert rule_ids[first["ruleIndex"]] == "AG101"
    assert first["level"] == "warning"
    assert run["results"][1]["level"] == "note"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/routes.py"
    assert location["region"] == {"startLine": 8, "startColumn": 5, "endLine": 8, "endColumn": 18}


def test_clean_project_exits_zero(project: Path) -> None:
    result = run_cli("check", "--python", sys.prefix, "app/clean.py", cwd=project)
    assert result.returncode == 0
    assert result.stdout == "No blocking calls found in 1 file.\n"


def test_bad_path_is_a_one_line_error(project: Path) -> None:
    result = run_cli("check", "missing_dir", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "asyncguard: error: " + str(project / "missing_dir") + ": no such file or directory"
    ]


def test_broken_environment_is_a_one_line_error(project: Path) -> None:
    broken = project / "brokenenv"
    (broken / "bin").mkdir(parents=True)
    (broken / "bin" / "python").write_text("#!/bin/sh\nexit 3\n")
    (broken / "bin" / "python").chmod(0o755)
    result = run_cli("check", "--python", str(broken), "app", cwd=project)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"asyncguard: error: python environment {broken} (explicit) is broken")


def test_missing_environment_is_a_one_line_error(project: Path) -> None:
    result = run_cli("check", "--python", "nowhere/venv", "app", cwd=project)
    assert result.returncode == 2
    missing = project / "nowhere" / "venv"
    assert result.stderr == f"asyncguard: error: python environment '{missing}' does not exist\n"


def test_a_relative_python_flag_is_relative_to_where_it_is_typed(project: Path) -> None:
    # Typed in a subfolder: '../env' is the project's 'env', not a folder beside the project.
    (project / "env").symlink_to(sys.prefix, target_is_directory=True)
    result = run_cli("check", "--python", "../env", "--format", "json", ".", cwd=project / "app")
    assert result.returncode == 1, result.stderr
    assert len(json.loads(result.stdout)["findings"]) == 4


def test_unreadable_file_is_reported_and_the_rest_is_checked(project: Path) -> None:
    (project / "app" / "latin.py").write_bytes(b"x = '\xe9t\xe9'\n")
    result = run_cli("check", "--python", sys.prefix, "--format", "json", cwd=project)
    assert result.returncode == 2
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == 1
    assert "latin.py: not valid utf-8 at byte 5" in errors[0]
    assert len(json.loads(result.stdout)["findings"]) == 4


def test_virtualenvs_node_modules_and_gitignored_files_are_skipped(project: Path) -> None:
    for folder in (".venv/lib", "node_modules/pkg", "generated"):
        (project / folder).mkdir(parents=True)
        (project / folder / "mod.py").write_text(APP)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("generated/\n")
    result = run_cli("check", "--python", sys.prefix, "--format", "json", cwd=project)
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert paths == {"app/routes.py"}


def test_pyproject_configuration_and_bad_keys(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.asyncguard]\nallow = ['time.sleep']\nmin-severity = 'warning'\n"
    )
    result = run_cli("check", "--python", sys.prefix, "--format", "json", cwd=project)
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert codes == ["AG102", "AG102"]
    (project / "pyproject.toml").write_text("[tool.asyncguard]\nscope = 'everything'\n")
    result = run_cli("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        "asyncguard: error: pyproject.toml [tool.asyncguard]: scope must be one of 'all', 'routes', "
        "not 'everything'\n"
    )
    (project / "pyproject.toml").write_text("[tool.asyncguard]\nmax_depth = 3\n")
    result = run_cli("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "asyncguard: error: pyproject.toml [tool.asyncguard]: unknown key 'max_depth'"
    )


def test_extra_blocking_from_the_command_line(project: Path) -> None:
    (project / "app" / "legacy.py").write_text(
        "import json\n\n\nasync def load(s: str):\n    return json.loads(s)\n"
    )
    result = run_cli(
        "check",
        "--python",
        sys.prefix,
        "--format",
        "json",
        "--extra-blocking",
        "json.loads",
        "app/legacy.py",
        cwd=project,
    )
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["code"], f["target"]) for f in findings] == [(5, "AG111", "json.loads")]
