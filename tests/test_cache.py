"""The on-disk cache and the parallel path never change what is found."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from asyncguard.config import Config
from asyncguard.engine.session import CheckRun
from conftest import write_project
from test_reach import ENTRY_POINTS, SERVICE_PROJECT

PROJECT = {**SERVICE_PROJECT, **{f"app/{name}": code for name, code in ENTRY_POINTS.items()}}


def run(root: Path, *, use_cache: bool = True, jobs: int = 1):  # type: ignore[no-untyped-def]
    config = Config(python=sys.prefix)
    return CheckRun(root, config, jobs=jobs, use_cache=use_cache).check([root])


def summary(result) -> list[tuple[str, int, int, str, str, str | None, int]]:  # type: ignore[no-untyped-def]
    return [
        (Path(f.path).name, f.span.line, f.span.col, f.code, f.message, f.route, len(f.chain))
        for f in result.findings
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    write_project(tmp_path, PROJECT)
    return tmp_path


def test_cached_runs_find_exactly_what_uncached_runs_find(project: Path) -> None:
    uncached = run(project, use_cache=False)
    assert len(uncached.findings) >= 10
    first = run(project)
    second = run(project)
    assert summary(first) == summary(uncached)
    assert not first.cached and second.cached
    assert summary(second) == summary(uncached)
    assert (project / ".asyncguard_cache" / ".gitignore").read_text().endswith("*\n")


def test_a_changed_helper_invalidates_what_depends_on_it(project: Path) -> None:
    run(project)
    services = project / "app" / "services.py"
    services.write_text(services.read_text().replace("    _save_consent(repo, user_id)\n", "    pass\n"))
    cached = run(project)
    assert not cached.cached
    assert summary(cached) == summary(run(project, use_cache=False))
    assert not any("create_authorization_response" in f.message for f in cached.findings)


def test_a_helper_outside_the_checked_folder_is_followed_and_its_changes_seen(tmp_path: Path) -> None:
    # 'asyncguard check app/api' on a project whose helpers live in app/services.
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/routes.py": """
                from app.services.mail import send


                async def signup(address: str):
                    send(address)
                """,
            "app/services/__init__.py": "",
            "app/services/mail.py": """
                import time


                def send(address):
                    time.sleep(1)
                """,
        },
    )
    api = tmp_path / "app" / "api"

    def check(use_cache: bool = True):  # type: ignore[no-untyped-def]
        return CheckRun(tmp_path, Config(python=sys.prefix), jobs=1, use_cache=use_cache).check([api])

    first = check()
    assert [(f.path.rsplit("/", 1)[-1], f.span.line, f.target) for f in first.findings] == [
        ("routes.py", 5, "time.sleep")
    ]
    assert check().cached
    mail = tmp_path / "app" / "services" / "mail.py"
    mail.write_text("def send(address):\n    return address\n")
    after = check()
    assert not after.cached
    assert after.findings == [] == check(use_cache=False).findings
    mail.write_text("import time\n\n\ndef send(address):\n    time.sleep(2)\n")
    assert [f.target for f in check().findings] == ["time.sleep"]


def test_corrupt_cache_files_are_ignored(project: Path) -> None:
    expected = summary(run(project))
    for path in (project / ".asyncguard_cache").rglob("*.json"):
        path.write_text("{not json")
    assert summary(run(project)) == expected


def test_parallel_resolution_finds_the_same(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncguard.engine.session as session

    assert session.PARALLEL_MIN_MODULES > 1
    monkeypatch.setattr(session, "PARALLEL_MIN_MODULES", 1)
    import asyncguard.engine.parallel as parallel

    received: list[int] = []
    merge = parallel._merge
    monkeypatch.setattr(
        parallel,
        "_merge",
        lambda merged, answers, catalog: (received.append(len(answers)), merge(merged, answers, catalog)),
    )
    from asyncguard.engine.analyzer import Analyzer

    checked_here = _paths_passed(monkeypatch, Analyzer, "check_path", 1)
    result = run(project, use_cache=False, jobs=2)
    assert result.resolved_in_parallel == len(list(project.rglob("*.py")))
    # Both workers sent their answers, and their reports are used as they are: this process
    # checks nothing again.
    assert len(received) == 2 and sum(received) > 0
    assert checked_here == []
    assert summary(result) == summary(run(project, use_cache=False))


def _paths_passed(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, position: int) -> list[str]:
    """The file names given to owner.name (its argument at 'position') from now on, in this
    process: worker processes start from fresh imports."""
    seen: list[str] = []
    original = getattr(owner, name)

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(Path(args[position]).name)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return seen


def test_workers_killed_midway_lose_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed (out of memory, a signal) sends nothing: this process resolves what it
    would have answered, and the run neither hangs nor misses a finding."""
    import multiprocessing

    import asyncguard.engine.parallel as parallel
    import asyncguard.engine.session as session

    monkeypatch.setattr(session, "PARALLEL_MIN_MODULES", 1)
    resolve = parallel.resolve_in_parallel
    killed: list[int] = []

    def killing(*args, meanwhile=None, **kwargs):  # type: ignore[no-untyped-def]
        def step() -> bool:
            for child in multiprocessing.active_children():
                killed.append(child.pid or 0)
                child.kill()
            return meanwhile() if meanwhile is not None else False

        return resolve(*args, meanwhile=step, **kwargs)

    monkeypatch.setattr(parallel, "resolve_in_parallel", killing)
    from asyncguard.engine.analyzer import Analyzer

    checked_here = _paths_passed(monkeypatch, Analyzer, "check_path", 1)
    result = run(project, use_cache=False, jobs=2)
    assert len(set(killed)) == 2
    # Whatever the killed workers had checked went with them: every module is checked here.
    assert len(checked_here) == len(list(project.rglob("*.py")))
    assert summary(result) == summary(run(project, use_cache=False))


def test_one_shared_inference_state_finds_what_one_state_per_module_finds(project: Path) -> None:
    from asyncguard.engine.analyzer import Analyzer
    from asyncguard.engine.project import Project
    from conftest import RUNNING

    def findings(shared: bool) -> list[tuple[str, int, str, str]]:
        paths = sorted(project.rglob("*.py"))
        analyzer = Analyzer(Project(project, paths), Config(), RUNNING, shared_inference=shared)
        analyzer.prepare()
        found = [f for path in paths for f in analyzer.check_path(path).findings]
        return sorted((Path(f.path).name, f.span.line, f.code, f.message) for f in found)

    separate = findings(shared=False)
    assert len(separate) >= 10
    assert findings(shared=True) == separate


def _shared_state_after_one_module(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two handlers reaching a session only jedi can type (an item of a list), analysed in one
    shared inference state; the first is checked (and found). Returns the analyzer and paths."""
    from asyncguard.engine.analyzer import Analyzer
    from asyncguard.engine.project import Project
    from conftest import RUNNING

    handler = """
        from helpers import make_session


        async def {name}():
            return make_session().get("https://example.com")
        """
    paths = write_project(
        tmp_path,
        {
            "helpers.py": """
                import requests


                def make_session():
                    # Beyond the local inference (an item of a list): only jedi types this.
                    pool = [requests.Session()]
                    return pool[0]
                """,
            "first.py": handler.format(name="first"),
            "second.py": handler.format(name="second"),
        },
    )
    analyzer = Analyzer(Project(tmp_path, paths), Config(), RUNNING, shared_inference=True)
    analyzer.prepare()
    assert [f.target for f in analyzer.check_path(paths[1]).findings] == ["requests.sessions.Session.get"]
    return analyzer, paths


def test_a_long_run_in_one_shared_state_keeps_inferring(tmp_path: Path) -> None:
    """jedi gives up on an element after 300 inferences in one state; a run sharing one state
    over hundreds of modules must not inherit that count from the modules before."""
    analyzer, paths = _shared_state_after_one_module(tmp_path)
    state = analyzer.resolver._shared_state
    counts = state.inferred_element_counts  # type: ignore[attr-defined]
    assert counts
    for node in counts:
        counts[node] = 10**6
    assert [f.target for f in analyzer.check_path(paths[2]).findings] == ["requests.sessions.Session.get"]


def test_a_run_over_more_than_600_modules_keeps_the_trees_its_state_points_to(tmp_path: Path) -> None:
    """parso empties its tree cache of entries unused for ten minutes once it holds 600 files,
    and a tree read back from its disk cache counts as last used when it was first parsed. The
    shared inference state still points into those trees: losing them made jedi fail (a lost
    answer) on projects of more than 600 modules."""
    import time

    import parso.cache

    analyzer, paths = _shared_state_after_one_module(tmp_path)
    # As a long run over a large project leaves the cache: every tree parsed long ago, and
    # hundreds of other files.
    long_ago = time.time() - 3600
    for items in parso.cache.parser_cache.values():
        for item in items.values():
            item.last_used = long_ago
    grammar = next(iter(parso.cache.parser_cache))
    fillers = [str(tmp_path / f"other{n}.py") for n in range(700)]
    try:
        for filler in fillers:
            parso.cache.parser_cache[grammar][filler] = parso.cache._NodeCacheItem(None, [], long_ago)
        assert [f.target for f in analyzer.check_path(paths[2]).findings] == ["requests.sessions.Session.get"]
        assert analyzer.resolver.jedi_failures == 0
    finally:
        for items in parso.cache.parser_cache.values():
            for filler in fillers:
                items.pop(filler, None)


def test_an_interrupted_parallel_run_leaves_no_worker_behind(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or any error) in this process while workers resolve: the command exits at once
    without exit handlers, so the workers are stopped here or they would run on alone."""
    import multiprocessing
    import signal

    import asyncguard.engine.parallel as parallel
    import asyncguard.engine.session as session

    monkeypatch.setattr(session, "PARALLEL_MIN_MODULES", 1)
    resolve = parallel.resolve_in_parallel
    workers: list[multiprocessing.Process] = []

    def interrupted(*args, meanwhile=None, **kwargs):  # type: ignore[no-untyped-def]
        def step() -> bool:
            workers.extend(multiprocessing.active_children())
            raise KeyboardInterrupt

        return resolve(*args, meanwhile=step, **kwargs)

    monkeypatch.setattr(parallel, "resolve_in_parallel", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(project, use_cache=False, jobs=2)
    assert len(workers) == 2
    # Stopped mid-work, not left to finish on their own.
    assert [w.exitcode for w in workers] == [-signal.SIGKILL, -signal.SIGKILL]


def test_cache_folders_nobody_used_for_a_month_are_removed(project: Path) -> None:
    """Each upgrade or settings change starts a cache folder of its own; the old ones must not
    pile up under the project. One in use (read by warm runs) stays, whatever its age."""
    import os
    import time

    from asyncguard.engine.cache import CACHE_DIR, STALE_AFTER_SECONDS

    base = project / CACHE_DIR
    long_ago = time.time() - STALE_AFTER_SECONDS - 3600
    recent = time.time() - 3600
    for name, when in (("v1-00000000000000aa", long_ago), ("v0-00000000000000bb", recent)):
        folder = base / name / "modules"
        folder.mkdir(parents=True)
        (folder / "x.json").write_text("{}")
        (base / name / "last-run.json").write_text("{}")
        for path in (folder / "x.json", folder, base / name / "last-run.json", base / name):
            os.utime(path, (when, when))
    mine = base / "mine.txt"
    mine.write_text("not a cache folder")
    os.utime(mine, (long_ago, long_ago))

    first = run(project)
    current = [p.name for p in base.iterdir() if p.is_dir() and p.name not in ("v0-00000000000000bb",)]
    assert len(current) == 1 and current[0] != "v1-00000000000000aa"
    assert (base / "v0-00000000000000bb").is_dir() and mine.exists()

    # The current folder, made old and then read by a warm run, is in use again.
    folder = base / current[0]
    os.utime(folder, (long_ago, long_ago))
    assert run(project).cached
    assert folder.stat().st_mtime > recent
    assert summary(first) == summary(run(project, use_cache=False))


def test_trees_go_through_parsos_disk_cache_and_a_broken_pickle_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-shot run loads each module's tree from parso's disk cache (or parses it once and
    stores it there), and that cache is shared with other processes: a pickle cut short by a
    writer killed or caught mid-write must cost a parse, never a jedi query."""
    import jedi
    import parso.cache
    from asyncguard.engine.analyzer import Analyzer
    from asyncguard.engine.project import Project
    from conftest import RUNNING

    monkeypatch.setattr(jedi.settings, "cache_directory", str(tmp_path / "jedi-cache"))
    root = tmp_path / "app"
    root.mkdir()
    analyzer, paths = _shared_state_after_one_module(root)
    assert [f.target for f in analyzer.check_path(paths[2]).findings] == ["requests.sessions.Session.get"]
    grammar = analyzer.resolver._shared_state.grammar  # type: ignore[attr-defined]
    cache_path = Path(jedi.settings.cache_directory)
    # second.py is imported by nothing: only the script's own tree being stored puts it there.
    pickled = Path(parso.cache._get_hashed_path(grammar._hashed, paths[2], cache_path=cache_path))
    assert pickled.is_file()

    pickles = list(cache_path.rglob("*.pkl"))
    assert pickles
    for path in pickles:
        path.write_bytes(path.read_bytes()[:40])
    for items in parso.cache.parser_cache.values():
        for path in paths:
            items.pop(path, None)
    fresh = Analyzer(Project(root, paths), Config(), RUNNING, shared_inference=True)
    fresh.prepare()
    for path in paths[1:]:
        assert [f.target for f in fresh.check_path(path).findings] == ["requests.sessions.Session.get"]
    assert fresh.resolver.jedi_failures == 0
    # Parsed again and stored whole, by a write that replaces the file in one step.
    assert len(pickled.read_bytes()) > 40
    assert not list(cache_path.rglob(".asyncguard-*"))


def test_a_failed_write_to_parsos_disk_cache_leaves_the_old_pickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import parso
    import parso.cache
    from asyncguard.engine import jedi_tuning

    grammar = parso.load_grammar()
    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    module = grammar.parse(path=source, cache=True, cache_path=tmp_path)
    pickled = Path(parso.cache._get_hashed_path(grammar._hashed, source, cache_path=tmp_path))
    before = pickled.read_bytes()
    assert before

    def broken_dump(item, stream, protocol):  # type: ignore[no-untyped-def]
        stream.write(b"half a pickle")
        raise OSError("disk full")

    monkeypatch.setattr(jedi_tuning.pickle, "dump", broken_dump)
    item = parso.cache._NodeCacheItem(module, ["x = 1\n"], 0)
    with pytest.raises(OSError):
        parso.cache._save_to_file_system(grammar._hashed, source, item, cache_path=tmp_path)
    assert pickled.read_bytes() == before
    assert [p.name for p in pickled.parent.iterdir()] == [pickled.name]


def test_a_run_on_untouched_files_reads_none_of_them(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last full run remembers each file's stat with its content hash: a run on files
    nobody touched since is answered without reading them. Files written moments before
    they were read are not remembered (a change within the filesystem's time resolution would
    keep the stat), so the test's freshly written files are remembered only with no margin."""
    import asyncguard.engine.cache as cache_module
    import asyncguard.engine.project as project_module

    expected = summary(run(project, use_cache=False))
    run(project)
    reads = _paths_passed(monkeypatch, project_module, "read_source", 0)
    assert run(project).cached
    assert len(reads) == len(list(project.rglob("*.py")))  # too recent to be trusted by stat

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    reads.clear()
    first = run(project)  # answered from the cache by reading the files, and their stats kept
    assert first.cached and reads
    reads.clear()
    second = run(project)
    assert second.cached and reads == []
    assert summary(second) == expected


def test_a_file_changed_behind_its_old_size_and_time_is_read_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, modification time set back: its status-change time still moved, so the
    run reads it, sees the change and does not answer from the cache."""
    import os

    import asyncguard.engine.cache as cache_module

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    run(project)
    services = project / "app" / "services.py"
    before = services.stat()
    text = services.read_text()
    line = "    _save_consent(repo, user_id)"
    changed = text.replace(line, "    pass  # no consent saved".ljust(len(line)))
    assert len(changed) == len(text)
    services.write_text(changed)
    os.utime(services, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert services.stat().st_size == before.st_size and services.stat().st_mtime_ns == before.st_mtime_ns
    result = run(project)
    assert not result.cached
    assert summary(result) == summary(run(project, use_cache=False))
    assert not any("create_authorization_response" in f.message for f in result.findings)


def test_workers_start_on_neighbouring_files_and_then_take_the_smallest_left(tmp_path: Path) -> None:
    """Each worker's share is a run of neighbouring files of about half the bytes, largest first;
    once its share is done a worker takes the smallest module left in the other share."""
    import multiprocessing

    from asyncguard.engine.parallel import _next_module, _shares

    sizes = {"api/a.py": 300, "api/b.py": 100, "api/c.py": 200, "db/d.py": 250, "db/e.py": 50, "db/f.py": 300}
    paths = []
    for name, size in sizes.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("#" * size)
        paths.append(path)
    order, bounds = _shares(paths, 2)
    names = [str(Path(p).relative_to(tmp_path)) for p in order]
    assert names == ["api/a.py", "api/c.py", "api/b.py", "db/f.py", "db/d.py", "db/e.py"]
    assert bounds == [0, 3, 3, 6]

    shares = multiprocessing.get_context("spawn").Array("i", bounds)
    taken = [_next_module(0, order, shares) for _ in range(5)]
    assert [str(Path(p).relative_to(tmp_path)) for p in taken if p] == [
        "api/a.py",
        "api/c.py",
        "api/b.py",
        "db/e.py",
        "db/d.py",
    ]
    assert str(Path(_next_module(1, order, shares) or "").relative_to(tmp_path)) == "db/f.py"
    assert _next_module(1, order, shares) is None
    assert _next_module(0, order, shares) is None
