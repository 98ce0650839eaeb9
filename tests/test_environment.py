"""Which environment jedi resolves against: --python, then $VIRTUAL_ENV, then .venv/venv, then
the running interpreter."""

from __future__ import annotations

from pathlib import Path

import pytest
from asyncguard.engine.environment import PythonEnvironmentError, choose_environment


def fake_venv(folder: Path) -> Path:
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").write_text("")
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return folder


def test_explicit_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", str(fake_venv(tmp_path / "active")))
    fake_venv(tmp_path / ".venv")
    chosen = fake_venv(tmp_path / "envs" / "py311")
    choice = choose_environment(tmp_path, "envs/py311")
    assert (choice.path, choice.origin) == (chosen, "explicit")


def test_virtual_env_then_dot_venv_then_venv_then_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    active = fake_venv(tmp_path / "active")
    monkeypatch.setenv("VIRTUAL_ENV", str(active))
    dot_venv = fake_venv(tmp_path / ".venv")
    plain_venv = fake_venv(tmp_path / "venv")
    assert choose_environment(tmp_path).path == active
    monkeypatch.delenv("VIRTUAL_ENV")
    assert choose_environment(tmp_path).path == dot_venv
    (dot_venv / "bin" / "python").unlink()
    assert choose_environment(tmp_path).path == plain_venv
    (plain_venv / "bin" / "python").unlink()
    choice = choose_environment(tmp_path)
    assert (choice.path, choice.origin) == (None, "running interpreter")


def test_explicit_paths_that_are_not_environments_are_errors(tmp_path: Path) -> None:
    with pytest.raises(PythonEnvironmentError, match="'missing' does not exist"):
        choose_environment(tmp_path, "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PythonEnvironmentError, match="is not a virtual environment"):
        choose_environment(tmp_path, "empty")
