"""The cheap type inference that answers before jedi (and is all a first open publishes):
what it types, and where it must stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from asyncguard.config import Config
from asyncguard.engine.analyzer import Analyzer
from asyncguard.engine.project import Project
from conftest import RUNNING, analyze_project, brief, write_project


def analyze_without_jedi(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    """What the import table and local types find before jedi infers any call: what a first
    open publishes at once."""
    paths = write_project(root, files)
    analyzer = Analyzer(Project(root, paths), Config(), RUNNING)
    analyzer.prepare()
    with analyzer.resolver.cheap_only():
        findings = [f for path in paths for f in analyzer.check_path(path).findings]
    # A first open publishes this before jedi has loaded anything: not one query.
    assert analyzer.resolver.jedi_calls == 0
    return findings


def analyze_counting_jedi(root: Path, files: dict[str, str], checked: int):  # type: ignore[no-untyped-def]
    """The findings of the 'checked'-th file of a full analysis, and how many jedi queries it
    took."""
    paths = write_project(root, files)
    analyzer = Analyzer(Project(root, paths), Config(), RUNNING)
    analyzer.prepare()
    findings = analyzer.check_path(paths[checked]).findings
    return findings, analyzer.resolver.jedi_calls


def test_a_module_name_assigned_in_both_branches_keeps_the_type_they_agree_on(tmp_path: Path) -> None:
    findings = analyze_without_jedi(
        tmp_path,
        {
            "settings.py": """
                import os
                from pathlib import Path

                if os.getenv("DATA_DIR"):
                    DATA_DIR = Path(os.environ["DATA_DIR"]).resolve()
                else:
                    DATA_DIR = Path("data")
                CACHE_DIR = DATA_DIR / "cache"
                """,
            "app.py": """
                from settings import CACHE_DIR

                SPEECH_DIR = CACHE_DIR / "audio" / "speech"


                async def speech(name: str):
                    path = SPEECH_DIR.joinpath(f"{name}.mp3")
                    if path.is_file():
                        return path.name
                    return None
                """,
        },
    )
    assert brief(findings) == [(8, "AG104", "pathlib.Path.is_file")]


def test_names_bound_differently_in_both_branches_stay_untyped(tmp_path: Path) -> None:
    findings = analyze_without_jedi(
        tmp_path,
        {
            "app.py": """
                import os
                from pathlib import Path

                if os.getenv("REMOTE"):
                    STORE = os.environ["REMOTE"]
                else:
                    STORE = Path("data")


                async def exists(name: str):
                    return STORE.exists()
                """,
        },
    )
    assert findings == []


REASSIGNED = """
    from pathlib import Path


    async def download(storage, file_id: str, refresh: bool):
        path = await storage.fetch(file_id)
        path = Path(path)
        if path.is_file():
            return path.name
        if refresh:
            path = await storage.fetch(file_id)
        return path.exists()
    """


def test_the_assignment_that_reaches_a_use_types_it(tmp_path: Path) -> None:
    findings = analyze_without_jedi(tmp_path, {"app.py": REASSIGNED})
    # Line 7 follows 'path = Path(path)' in the same block. On line 11 the awaited value from
    # line 10 may reach the use, or may not: that use stays untyped rather than guessed.
    assert brief(findings) == [(7, "AG104", "pathlib.Path.is_file")]


def test_statements_and_loggers_are_typed_without_jedi(tmp_path: Path) -> None:
    """A query built step by step and a module logger are read all over a FastAPI app; typing
    them locally is what keeps jedi from being asked about every '.where' and '.exception'."""
    paths = write_project(
        tmp_path,
        {
            "app.py": """
                import logging

                from sqlalchemy import select
                from sqlalchemy.orm import Session

                log = logging.getLogger(__name__)


                async def users(db: Session, table, name: str | None, limit: int):
                    stmt = select(table)
                    if name:
                        stmt = stmt.where(table.c.name == name)
                    stmt = stmt.order_by(table.c.id).limit(limit)
                    log.info("listing users")
                    return db.scalars(stmt).all()
                """
        },
    )
    analyzer = Analyzer(Project(tmp_path, paths), Config(), RUNNING)
    module = analyzer.project.module(paths[0])
    assert module is not None
    function = module.functions["users"]
    type_of = analyzer.resolver.type_of(module, function)
    receivers = {ast.unparse(site.receiver): site.receiver for site in function.calls if site.receiver}
    assert type_of(receivers["log"]) == "logging.Logger"
    assert type_of(function.node.body[-1].value.func.value.args[0]) == "sqlalchemy.sql.selectable.Select"


def test_items_of_a_json_payload_are_never_sent_to_jedi(tmp_path: Path) -> None:
    """'item.get(...)' over a decoded payload is a dict lookup: jedi could not type it, and
    asking costs tens of milliseconds per call on a real app; so is '.get' on a name that is a
    dict or an awaited result wherever it is bound. A loop over typed clients is typed from their
    annotation, without asking either."""
    findings, jedi_calls = analyze_counting_jedi(
        tmp_path,
        {
            "app.py": """
                import requests


                async def names(payload: dict, sessions: list[requests.Session], form: dict, refresh):
                    found = []
                    for index, item in enumerate(payload["items"]):
                        for tag in item.get("tags", []):
                            found.append((index, item.get("name"), tag.get("label")))
                    for session in sessions:
                        session.get("https://example.com")
                    form = await refresh(form)
                    return found, form.get("next")
                """
        },
        checked=0,
    )
    assert brief(findings) == [(10, "AG102", "requests.sessions.Session.get")]
    assert jedi_calls == 0


def test_storing_into_an_object_does_not_rebind_its_name(tmp_path: Path) -> None:
    findings = analyze_without_jedi(
        tmp_path,
        {
            "app.py": """
                import requests


                async def fetch(url: str, token: str):
                    session = requests.Session()
                    session.headers["Authorization"] = f"Bearer {token}"
                    session.verify = False
                    return session.get(url).json()
                """
        },
    )
    assert brief(findings) == [(8, "AG102", "requests.sessions.Session.get")]


def test_request_headers_are_not_sent_to_jedi_but_an_upload_file_still_is(tmp_path: Path) -> None:
    findings, jedi_calls = analyze_counting_jedi(
        tmp_path,
        {
            "app.py": """
                from fastapi import FastAPI, Request, UploadFile

                app = FastAPI()


                @app.post("/upload")
                async def upload(file: UploadFile, request: Request, rows: list[dict], caps: dict[str, int]):
                    agent = request.headers.get("user-agent")
                    first = rows[0].get("name")
                    names = [row.get("name") for row in rows]
                    total = 0
                    for key in caps:
                        total += caps.get(key, 0)
                    return {"size": len(file.file.read()), "agent": agent, "first": first, "names": names}
                """
        },
        checked=0,
    )
    assert [(f.span.line, f.code, f.target) for f in findings if f.code != "AG301"] == [
        (14, "AG104", "typing.IO.read")
    ]
    assert jedi_calls == 1


def test_a_global_rebound_in_a_function_is_still_asked_about(tmp_path: Path) -> None:
    findings = analyze_project(
        tmp_path,
        {
            "app.py": """
                import threading

                _worker = None


                def start() -> None:
                    global _worker
                    thread = threading.Thread(target=print)
                    thread.start()
                    _worker = (1, thread)


                def stop() -> None:
                    global _worker
                    if _worker:
                        _, thread = _worker
                        thread.join()
                        _worker = None


                async def shutdown():
                    stop()
                """
        },
    )
    assert [(f.span.line, f.code, f.target) for f in findings] == [(22, "AG108", "threading.Thread.join")]


def test_an_unannotated_helper_is_typed_by_what_it_returns(tmp_path: Path) -> None:
    findings = analyze_without_jedi(
        tmp_path,
        {
            "clients.py": """
                import requests


                def make_session(token: str):
                    session = requests.Session()
                    session.headers["Authorization"] = token
                    return session


                def summary(user) -> dict:
                    if user is None:
                        return None
                    return {"id": user.id}
                """,
            "app.py": """
                from clients import make_session, summary


                async def profile(token: str, user):
                    info = summary(user)
                    return make_session(token).get(f"/users/{info.get('id')}")
                """,
        },
    )
    assert brief(findings) == [(6, "AG102", "requests.sessions.Session.get")]


def test_values_checked_or_kept_as_plain_data_are_never_sent_to_jedi(tmp_path: Path) -> None:
    """'.get' on what an isinstance() check proved a dict, on a part of a name sliced from
    itself, on a copy of a payload, on a concatenation of payload lists or on what setdefault()
    keeps is a dict lookup; the same receiver outside the check is still asked about, and a
    requests.Session found there is reported."""
    findings, jedi_calls = analyze_counting_jedi(
        tmp_path,
        {
            "store.py": """
                import requests

                SESSIONS = {"default": requests.Session()}


                def pick(name):
                    return SESSIONS[name]
                """,
            "app.py": """
                import copy

                from store import pick


                async def handler(name: str, payload, context: dict, url: str):
                    source = pick(name)
                    if isinstance(source, dict):
                        label = source.get("label")
                    else:
                        label = source.get(url)
                    names = [s.get("id") for s in [source] if isinstance(s, (dict, list))]
                    ready = isinstance(source, dict) and source.get("ready")
                    for item in [source]:
                        if not isinstance(item, dict):
                            continue
                        names.append(item.get("id"))
                    body = payload["body"]
                    body = body[1:]
                    message = copy.deepcopy(payload["message"] or {})
                    merged = payload["before"] + payload["after"]
                    seen = context.setdefault("seen", {})
                    found = [m.get("id") for m in merged]
                    return label, names, ready, found, body.get("id"), message.get("id"), seen.get(name)
                """,
        },
        checked=1,
    )
    assert brief(findings) == [(11, "AG102", "requests.sessions.Session.get")]
    # Only the unchecked 'source.get(url)' needed jedi.
    assert jedi_calls == 1


def test_a_client_read_from_app_state_with_getattr_is_typed(tmp_path: Path) -> None:
    findings = analyze_without_jedi(
        tmp_path,
        {
            "main.py": """
                from contextlib import asynccontextmanager

                import requests
                from fastapi import FastAPI, Request


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    app.state.http = requests.Session()
                    yield


                app = FastAPI(lifespan=lifespan)


                @app.get("/status")
                async def status(request: Request):
                    http = getattr(request.app.state, "http", None)
                    settings = getattr(request.app.state, "settings", {})
                    return http.get(settings.get("url")).json()
                """
        },
    )
    assert brief(findings) == [(17, "AG301", "status"), (20, "AG102", "requests.sessions.Session.get")]
