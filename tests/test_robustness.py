"""Bad input never crashes the engine or the CLI: broken code while typing, odd encodings and
sizes, newer syntax, files that vanish, symlink loops, jedi failures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from asyncguard.config import Config
from asyncguard.engine.analyzer import Analyzer
from asyncguard.engine.model import build_module
from asyncguard.engine.project import Project
from asyncguard.engine.session import CheckRun
from conftest import RUNNING, analyze_project, brief


def test_syntax_error_while_typing_keeps_findings_in_intact_functions(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import time
        import requests


        async def first():
            time.sleep(1)


        async def typing_now(url):
            response = requests.
            return response


        async def last(url):
            return requests.get(url)
        """
    ).lstrip()
    findings = analyze_project(tmp_path, {"app.py": code})
    assert brief(findings) == [(6, "AG101", "time.sleep"), (15, "AG102", "requests.api.get")]


@pytest.mark.parametrize(
    "broken",
    [
        "async def f(:\n    pass\n",
        "async def f():\n    x = (1,\n",
        "async def f():\n  if x\n    time.sleep(1)\n",
        "def f():\n\treturn 1\n        return 2\n",
        '"""unterminated\n',
        "@\n",
        "class A(\n",
        "async def f():\n    await\n",
        "\x0c\n",
    ],
)
def test_broken_code_is_modelled_without_raising(broken: str) -> None:
    module = build_module("pkg/broken.py", "broken", broken)
    assert module.path == "pkg/broken.py"


def test_non_utf8_binary_empty_and_vanishing_files_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "latin.py").write_bytes(b"# comment\nname = '\xe9'\n")
    (tmp_path / "declared.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nimport time\n\n\nasync def f():\n    time.sleep(1)  # \xe9\n"
    )
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02ELF")
    (tmp_path / "empty.py").write_text("")
    gone = tmp_path / "gone.py"
    gone.write_text("x = 1\n")
    project_files = [tmp_path / n for n in ("latin.py", "declared.py", "binary.py", "empty.py", "gone.py")]
    gone.unlink()
    project = Project(tmp_path, project_files)
    analyzer = Analyzer(project, Config(), RUNNING)
    reports = {Path(p).name: analyzer.check_path(p) for p in project_files}
    assert "not valid utf-8" in (reports["latin.py"].error or "")
    assert "binary file" in (reports["binary.py"].error or "")
    assert "file not found" in (reports["gone.py"].error or "")
    assert reports["empty.py"].error is None and reports["empty.py"].findings == []
    assert [f.target for f in reports["declared.py"].findings] == ["time.sleep"]


def test_large_modules_deep_nesting_and_long_lines(tmp_path: Path) -> None:
    body = "\n".join(f"def helper_{i}(x):\n    return x + {i}\n" for i in range(10_000))
    deep = "x = " + " + ".join(["1"] * 5000)
    nested = "y = " + "(" * 150 + "1" + ")" * 150
    long_line = "z = [" + ", ".join(str(i) for i in range(20_000)) + "]"
    code = (
        "import time\n\n\n"
        + body
        + "\n\nasync def tail():\n    "
        + deep
        + "\n    "
        + nested
        + "\n    "
        + long_line
        + "\n    time.sleep(1)\n"
    )
    assert code.count("\n") > 20_000
    findings = analyze_project(tmp_path, {"big.py": code})
    assert [f.target for f in findings] == ["time.sleep"]


def test_python_312_syntax_on_an_older_interpreter(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import time

        type Handler = int


        class Box[T]:
            def get(self) -> T: ...


        async def first[T](item: T) -> T:
            time.sleep(1)
            return item
        """
    ).lstrip()
    findings = analyze_project(tmp_path, {"app.py": code})
    assert brief(findings) == [(11, "AG101", "time.sleep")]


def test_symlink_loops_and_files_changing_mid_scan(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    os.symlink(tmp_path, package / "loop")
    os.symlink(package / "missing.py", package / "dangling.py")
    result = CheckRun(tmp_path, Config(python=sys.prefix), use_cache=False).check([tmp_path])
    assert [Path(f.path).name for f in result.findings] == ["mod.py"]
    assert any("dangling.py" in e for e in result.errors)


def test_a_file_named_twice_or_through_a_symlink_is_checked_once(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    os.symlink(package / "mod.py", package / "alias.py")
    targets = [package, package / "mod.py", package / "alias.py"]
    result = CheckRun(tmp_path, Config(python=sys.prefix), use_cache=False).check(targets)
    assert result.files == 1
    assert [(Path(f.path).name, f.span.line) for f in result.findings] == [("alias.py", 5)]


def test_a_jedi_failure_is_isolated_to_that_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jedi

    real_goto = jedi.Script.goto
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("jedi fell over")
        return real_goto(self, *args, **kwargs)

    monkeypatch.setattr(jedi.Script, "goto", flaky)
    code = textwrap.dedent(
        """
        import requests


        async def one(s: "Unknown"):
            s.get("x")


        async def two(url):
            session = requests.Session()
            session.get(url)
            helper = make()
            helper.execute()
        """
    ).lstrip()
    findings = analyze_project(tmp_path, {"app.py": code})
    assert brief(findings) == [(10, "AG102", "requests.sessions.Session.get")]
    assert calls["n"] >= 1


def test_a_jedi_call_that_runs_too_long_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time as real_time

    import jedi

    def slow(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        for _ in range(200):
            real_time.sleep(0.05)
        return []

    monkeypatch.setattr(jedi.Script, "goto", slow)
    code = "import time\n\n\nasync def f(x: 'Unknown'):\n    x.execute()\n    time.sleep(1)\n"
    paths = [tmp_path / "app.py"]
    paths[0].write_text(code)
    analyzer = Analyzer(Project(tmp_path, paths), Config(), RUNNING, jedi_budget=0.3)
    started = real_time.monotonic()
    report = analyzer.check_path(paths[0])
    assert real_time.monotonic() - started < 5
    assert [f.target for f in report.findings] == ["time.sleep"]
    assert analyzer.resolver.budget.exceeded >= 1


@pytest.mark.skipif(
    not hasattr(__import__("time"), "pthread_getcpuclockid"), reason="no per-thread CPU clock"
)
def test_the_jedi_budget_counts_the_query_s_own_cpu_time() -> None:
    """A query that computes is cut off once it has used its budget; one that waits (on jedi's
    helper process, or for a core on a busy machine) gets up to twice the budget in wall time,
    so how busy the machine is does not change which queries are answered."""
    import time as real_time

    from asyncguard.engine.budget import Budget, BudgetExceeded

    budget = Budget(0.4)

    def spin() -> None:
        end = real_time.thread_time() + 5
        while real_time.thread_time() < end:
            pass

    def wait(seconds: float) -> str:
        end = real_time.monotonic() + seconds
        while real_time.monotonic() < end:
            real_time.sleep(0.01)
        return "answered"

    started = real_time.monotonic()
    with pytest.raises(BudgetExceeded):
        budget.run(spin)
    assert real_time.monotonic() - started < 2
    assert budget.run(wait, 0.6) == "answered"
    started = real_time.monotonic()
    with pytest.raises(BudgetExceeded):
        budget.run(wait, 5)
    assert 0.7 < real_time.monotonic() - started < 2.5
    assert budget.exceeded == 2


def test_cli_goes_on_after_unreadable_files_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "ok.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x00binary")
    result = subprocess.run(
        [sys.executable, "-m", "asyncguard", "check", "--python", sys.prefix, "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"asyncguard: error: {tmp_path / 'blob.py'}: binary file (contains NUL bytes)"
    ]
    assert "ok.py:5:5: AG101" in result.stdout
