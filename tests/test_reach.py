"""Whole-program reach: blocking calls behind workspace helpers, and where the loop runs them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from asyncguard.config import Config
from asyncguard.engine.environment import EnvironmentChoice
from conftest import analyze_project, brief


def chain_of(finding):
    return [(hop.path.rsplit("/", 1)[-1], hop.span.line, hop.callee) for hop in finding.chain]


SERVICE_PROJECT = {
    "app/__init__.py": "",
    "app/db.py": """
        from sqlalchemy.orm import Session, sessionmaker

        SessionLocal = sessionmaker()


        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
        """,
    "app/repositories.py": """
        from sqlalchemy import text
        from sqlalchemy.orm import Session


        class BaseRepository:
            def __init__(self, session: Session) -> None:
                self.session = session

            def _run(self, sql: str):
                return self.session.execute(text(sql))


        class ConsentRepository(BaseRepository):
            def save(self, user_id: int) -> None:
                self._run(f"insert into consent values ({user_id})")
        """,
    "app/services.py": """
        from .repositories import ConsentRepository


        def _save_consent(repo: ConsentRepository, user_id: int) -> None:
            repo.save(user_id)


        def create_authorization_response(repo: ConsentRepository, user_id: int) -> dict:
            _save_consent(repo, user_id)
            return {"ok": True}
        """,
    "app/routes.py": """
        from fastapi import APIRouter, Depends
        from sqlalchemy.orm import Session

        from .db import get_db
        from .repositories import ConsentRepository
        from .services import create_authorization_response

        router = APIRouter(prefix="/oauth")


        @router.post("/authorize/{user_id}")
        async def authorize(user_id: int, db: Session = Depends(get_db)):
            repo = ConsentRepository(db)
            return create_authorization_response(repo, user_id)
        """,
}


def test_chain_across_modules_through_methods_and_inheritance(analyze):
    findings = analyze(files=SERVICE_PROJECT)
    assert brief(findings) == [
        (12, "AG301", "authorize"),
        (14, "AG106", "sqlalchemy.orm.session.Session.execute"),
    ]
    finding = findings[1]
    assert finding.route == "POST /oauth/authorize/{user_id}"
    assert finding.message == (
        "create_authorization_response blocks the event loop in async route POST /oauth/authorize/{user_id}: "
        "it reaches sqlalchemy.orm.session.Session.execute 4 calls down"
    )
    assert chain_of(finding) == [
        ("routes.py", 14, "app.services.create_authorization_response"),
        ("services.py", 9, "app.services._save_consent"),
        ("services.py", 5, "app.repositories.ConsentRepository.save"),
        ("repositories.py", 15, "app.repositories.BaseRepository._run"),
        ("repositories.py", 10, "sqlalchemy.orm.session.Session.execute"),
    ]
    assert (finding.func_span.col, finding.func_span.end_col) == (11, 40)


def test_depth_cap_stops_the_walk(analyze):
    findings = analyze(files=SERVICE_PROJECT, config=Config(max_depth=3))
    assert findings == []


def test_one_hop_same_module_static_and_class_methods(analyze):
    findings = analyze(
        """
        import subprocess
        import time


        class Tools:
            @staticmethod
            def run(cmd: list[str]) -> str:
                return subprocess.check_output(cmd).decode()

            @classmethod
            def pause(cls) -> None:
                time.sleep(0.1)


        def helper() -> None:
            Tools.pause()


        async def main():
            Tools.run(["ls"])
            helper()
        """
    )
    assert brief(findings) == [
        (20, "AG103", "subprocess.check_output"),
        (21, "AG101", "time.sleep"),
    ]
    assert (
        findings[0].message
        == "Tools.run blocks the event loop in async function main: it calls subprocess.check_output"
    )
    assert chain_of(findings[1]) == [
        ("app.py", 21, "app.helper"),
        ("app.py", 16, "app.Tools.pause"),
        ("app.py", 12, "time.sleep"),
    ]


def test_cycles_terminate_and_still_find_the_blocking_call(analyze):
    findings = analyze(
        """
        import time


        def ping(n: int) -> None:
            if n:
                pong(n - 1)


        def pong(n: int) -> None:
            ping(n)
            time.sleep(0.01)


        async def start():
            ping(3)


        async def start_other():
            pong(3)
        """
    )
    assert brief(findings) == [(15, "AG101", "time.sleep"), (19, "AG101", "time.sleep")]


def test_offloaded_and_nested_calls_in_helpers_do_not_count(analyze):
    findings = analyze(
        """
        import asyncio
        import time


        def helper():
            def later():
                time.sleep(1)
            return later


        def schedule(loop: asyncio.AbstractEventLoop):
            loop.run_in_executor(None, time.sleep, 1)


        async def main():
            helper()
            schedule(asyncio.get_running_loop())
        """
    )
    assert findings == []


def test_cached_helpers_are_information_and_the_costliest_path_wins(analyze):
    findings = analyze(
        """
        import functools
        import os

        import requests


        @functools.lru_cache(maxsize=1)
        def load_settings() -> str:
            with open("settings.toml") as handle:
                return handle.read()


        def fetch_profile(url: str) -> dict:
            if os.path.exists("cache.json"):
                load_settings()
            return requests.get(url).json()


        async def cached_only():
            return load_settings()


        async def profile(url: str):
            return fetch_profile(url)
        """
    )
    assert brief(findings) == [(20, "AG104", "builtins.open"), (24, "AG102", "requests.api.get")]
    cached, costly = findings
    assert cached.severity == "info"
    assert cached.cached is True
    assert "through a cached function" in cached.message
    assert costly.severity == "warning"
    assert chain_of(costly)[-1] == ("app.py", 16, "requests.api.get")


def test_a_helper_that_keeps_its_result_in_a_global_blocks_once(analyze):
    findings = analyze(
        """
        import json

        import requests

        _config = None
        _session = None
        _token = None


        def load_config():
            global _config
            if _config is None:
                with open("config.json") as f:
                    _config = json.load(f)
            return _config


        def session():
            global _session
            if _session is not None:
                return _session
            _session = requests.Session()
            _session.get("https://example.com/warmup")
            return _session


        def token():
            global _token
            if not _token:
                _token = requests.get("https://example.com/token").text
            return _token


        def every_time():
            global _config
            if _config is None:
                pass
            return open("config.json").read()


        def local_only():
            cached = None
            if cached is None:
                cached = requests.get("https://example.com").text
            return cached


        class App:
            def __init__(self) -> None:
                self._auth = None

            def auth(self):
                if self._auth is None:
                    self._auth = open("jwks.json").read()
                return self._auth

            def checked(self):
                if self._auth is None:
                    raise RuntimeError("no auth")
                return open("jwks.json").read()


        async def handler(app: App):
            load_config()
            session()
            token()
            every_time()
            local_only()
            app.auth()
            app.checked()
        """
    )
    assert [(f.span.line, f.target, f.severity) for f in findings] == [
        (64, "builtins.open", "info"),
        (65, "requests.sessions.Session.get", "info"),
        (66, "requests.api.get", "info"),
        (67, "builtins.open", "warning"),
        (68, "requests.api.get", "warning"),
        (69, "builtins.open", "info"),
        (70, "builtins.open", "warning"),
    ]
    assert findings[0].message == (
        "load_config blocks the event loop once in async function handler: it reaches builtins.open "
        "through a cached function, so the cost is paid on the first call only"
    )


def test_a_global_filled_by_a_helper_under_an_unset_test_blocks_once(analyze):
    """'if not _translations: _load()', where _load fills the module's dict in place (no
    'global' needed): the load runs on the first call only. A helper that fills another name,
    or a test of a name the branch's call does not fill (a local of the same name is not the
    global), still blocks every time."""
    findings = analyze(
        """
        import json
        import threading
        from pathlib import Path

        _translations: dict[str, dict[str, str]] = {}
        _other: list[str] = []
        _lock = threading.Lock()


        def _load() -> None:
            with _lock:
                for path in Path("locales").glob("*.json"):
                    _translations[path.stem] = json.loads(path.read_text())


        def _load_other() -> None:
            _other.extend(Path("other.txt").read_text().splitlines())


        def translate(key: str, locale: str) -> str:
            if not _translations:
                _load()
            return _translations.get(locale, {}).get(key, key)


        def misguarded() -> list[str]:
            if not _translations:
                _load_other()
            return _other


        def _shadowing() -> dict[str, str]:
            _translations = {}
            _translations["x"] = Path("x.txt").read_text()
            return _translations


        def shadowed() -> None:
            if not _translations:
                _shadowing()


        async def route(key: str):
            return translate(key, "en"), misguarded(), shadowed()
        """
    )
    assert [(f.span.line, f.target, f.severity) for f in findings] == [
        (44, "threading.Lock.__enter__", "info"),
        (44, "pathlib.Path.read_text", "warning"),
        (44, "pathlib.Path.read_text", "warning"),
    ]
    assert findings[0].message.startswith("translate blocks the event loop once in async function route")


def test_an_ignore_comment_in_a_helper_accepts_that_call_for_every_caller(analyze):
    findings = analyze(
        """
        import time

        import requests


        def get_secret(name: str) -> str:
            if name.startswith("oidc/"):
                return requests.get("https://example.com/token").text  # asyncguard: ignore[AG102]
            return name


        def other_code(name: str) -> str:
            return requests.get(name).text  # asyncguard: ignore[AG104]


        def settle() -> None:
            time.sleep(1)


        def checkout() -> None:
            settle()  # asyncguard: ignore


        async def handler():
            get_secret("KEY")
            other_code("https://example.com")
            checkout()
            settle()
        """
    )
    assert [(f.span.line, f.target) for f in findings] == [(26, "requests.api.get"), (28, "time.sleep")]


def test_properties_run_their_getter(analyze):
    findings = analyze(
        """
        from pathlib import Path


        class Avatar:
            def __init__(self, path: str) -> None:
                self.path = path

            @property
            def data(self) -> bytes:
                return Path(self.path).read_bytes()


        async def avatar(path: str):
            return Avatar(path).data
        """
    )
    assert brief(findings) == [(14, "AG104", "pathlib.Path.read_bytes")]


def test_only_property_names_with_a_blocking_getter_are_looked_up(tmp_path: Path) -> None:
    """Two classes define '.size': reading the one that stats a file is found; reading names
    whose getters never block (most properties) is never looked up."""
    from asyncguard.engine.analyzer import Analyzer
    from asyncguard.engine.project import Project
    from conftest import RUNNING, write_project

    paths = write_project(
        tmp_path,
        {
            "upload.py": """
                import os


                class Upload:
                    def __init__(self, path: str) -> None:
                        self.path = path

                    @property
                    def size(self) -> int:
                        return os.path.getsize(self.path)
                """,
            "shapes.py": """
                class Box:
                    def __init__(self, width: int) -> None:
                        self._width = width

                    @property
                    def size(self) -> int:
                        return self._width * self._width

                    @property
                    def label(self) -> str:
                        return f"box {self._width}"
                """,
            "app.py": """
                from shapes import Box
                from upload import Upload


                async def describe(width: int) -> str:
                    box = Box(width)
                    return box.label + str(box.size)


                async def stat(path: str) -> int:
                    return Upload(path).size
                """,
        },
    )
    analyzer = Analyzer(Project(tmp_path, paths), Config(), RUNNING)
    analyzer.prepare()
    describe_only = analyzer.check_path(paths[2]).findings
    assert brief(describe_only) == [(11, "AG104", "os.path.getsize")]
    assert describe_only[0].function == "stat"
    assert analyzer.reach.property_may_block("size") is True
    assert analyzer.reach.property_may_block("label") is False


def test_constructors_run_init(analyze):
    findings = analyze(
        """
        import smtplib


        class Mailer:
            def __init__(self, host: str) -> None:
                self.smtp = smtplib.SMTP(host)


        async def notify(host: str):
            Mailer(host)
        """
    )
    assert brief(findings) == [(10, "AG105", "smtplib.SMTP")]
    assert findings[0].chain[0].callee == "app.Mailer"


ENTRY_POINTS = {
    "main.py": """
        import time
        from contextlib import asynccontextmanager
        from typing import Annotated

        import requests
        from fastapi import Depends, FastAPI, Request, WebSocket
        from starlette.middleware.base import BaseHTTPMiddleware


        def blocking_helper() -> None:
            time.sleep(0.1)


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            blocking_helper()
            yield


        app = FastAPI(lifespan=lifespan)


        async def current_user(request: Request) -> str:
            requests.get("https://auth.example.com/me")
            return "me"


        @app.middleware("http")
        async def timing(request: Request, call_next):
            blocking_helper()
            return await call_next(request)


        class Audit(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                time.sleep(0.01)
                return await call_next(request)


        @app.exception_handler(ValueError)
        async def on_value_error(request: Request, exc: ValueError):
            time.sleep(0.01)


        @app.on_event("startup")
        async def warm_up():
            time.sleep(0.01)


        @app.get("/me")
        async def me(user: Annotated[str, Depends(current_user)]):
            return await load(user)


        async def load(user: str):
            time.sleep(0.01)


        @app.websocket("/ws")
        async def ws(socket: WebSocket):
            await socket.accept()
            time.sleep(0.01)


        async def unrelated():
            time.sleep(0.01)
        """,
}


def test_each_kind_of_entry_point_is_named_in_the_message(analyze):
    findings = analyze(files=ENTRY_POINTS)
    assert [(f.span.line, f.route, f.message.split(" blocks the event loop in ")[1]) for f in findings] == [
        (16, "lifespan handler lifespan", "lifespan handler lifespan: it calls time.sleep"),
        (24, "dependency current_user", "dependency current_user"),
        (30, "HTTP middleware timing", "HTTP middleware timing: it calls time.sleep"),
        (36, "middleware Audit.dispatch", "middleware Audit.dispatch"),
        (42, "exception handler on_value_error", "exception handler on_value_error"),
        (47, "startup handler warm_up", "startup handler warm_up"),
        (56, "GET /me", "async function load (reached from async route GET /me)"),
        (62, "WEBSOCKET /ws", "websocket route /ws"),
        (66, None, "async function unrelated"),
    ]


def test_scope_routes_reports_only_code_reached_from_entry_points(analyze):
    findings = analyze(files=ENTRY_POINTS, config=Config(scope="routes"))
    assert [f.span.line for f in findings] == [16, 24, 30, 36, 42, 47, 56, 62]


def test_async_route_with_nothing_to_await(analyze):
    findings = analyze(
        """
        import requests
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/items/{item_id}")
        async def read_item(item_id: int):
            return requests.get(f"https://api.example.com/items/{item_id}").json()


        @app.get("/fine")
        async def fine():
            return {"ok": True}
        """
    )
    assert brief(findings) == [(8, "AG301", "read_item"), (9, "AG102", "requests.api.get")]
    route = findings[0]
    assert (route.span.line, route.span.col, route.span.end_col) == (8, 0, 19)
    assert route.message == (
        "async route GET /items/{item_id} awaits nothing and blocks the event loop (requests.api.get): "
        "declare it with def and FastAPI runs it in its threadpool (40 threads by default)"
    )
    assert findings[1].message == "requests.api.get blocks the event loop in async route GET /items/{item_id}"


def test_route_registration_by_call_and_router_objects_with_any_name(analyze):
    findings = analyze(
        files={
            "api.py": """
                import time
                from fastapi import APIRouter
                from starlette.routing import Route

                orders = APIRouter()


                async def list_orders():
                    time.sleep(1)


                async def legacy(request):
                    time.sleep(1)


                orders.add_api_route("/orders", list_orders, methods=["GET"])
                routes = [Route("/legacy", legacy, methods=["POST"])]
                """,
        }
    )
    assert [(f.code, f.route) for f in findings] == [
        ("AG301", "GET /orders"),
        ("AG101", "GET /orders"),
        ("AG301", "POST /legacy"),
        ("AG101", "POST /legacy"),
    ]


def test_follow_libraries_reaches_into_third_party_code(tmp_path):
    import subprocess
    import sys
    import sysconfig

    venv = tmp_path / ".venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True
    )
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    vendor = Path(purelib) / "vendorlib"
    vendor.mkdir(parents=True)
    (vendor / "__init__.py").write_text(
        "import requests\n\n\ndef fetch_rates(url):\n    return requests.get(url).json()\n"
    )
    project = tmp_path / "proj"
    code = "import vendorlib\n\n\nasync def rates(url):\n    return vendorlib.fetch_rates(url)\n"
    env = EnvironmentChoice(venv, "explicit")
    assert analyze_project(project, {"app.py": code}, environment=env) == []
    findings = analyze_project(project, {"app.py": code}, Config(follow_libraries=True), environment=env)
    assert brief(findings) == [(5, "AG102", "requests.api.get")]
    assert findings[0].chain[0].callee == "vendorlib.fetch_rates"


def test_decorator_wrappers_that_block_count(analyze):
    findings = analyze(
        """
        import functools
        import time

        import requests


        def retry(times: int):
            def decorator(func):
                @functools.wraps(func)
                def wrapper(*args, **kwargs):
                    for attempt in range(times):
                        try:
                            return func(*args, **kwargs)
                        except OSError:
                            time.sleep(2**attempt)
                return wrapper
            return decorator


        @retry(times=3)
        def ping() -> bool:
            return True


        async def health():
            return ping()
        """
    )
    assert brief(findings) == [(26, "AG101", "time.sleep")]
    assert [hop.callee for hop in findings[0].chain] == ["app.ping", "app.retry", "time.sleep"]


def test_dependency_instances_and_middleware_registered_by_hand(analyze):
    findings = analyze(
        """
        import time

        from fastapi import Depends, FastAPI, Request

        app = FastAPI()


        class FeatureGate:
            def __init__(self, flag: str) -> None:
                self.flag = flag

            async def __call__(self, request: Request) -> None:
                time.sleep(0.01)


        async def audit(request: Request, call_next):
            time.sleep(0.01)
            return await call_next(request)


        app.middleware("http")(audit)


        @app.get("/beta", dependencies=[Depends(FeatureGate("beta"))])
        async def beta():
            return {}
        """,
        config=Config(scope="routes"),
    )
    assert [(f.span.line, f.route) for f in findings] == [
        (13, "dependency FeatureGate.__call__"),
        (17, "HTTP middleware audit"),
    ]


def test_starlette_endpoint_classes_are_routes(analyze):
    findings = analyze(
        files={
            "endpoints.py": """
                import time

                from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint


                class Depots(HTTPEndpoint):
                    async def get(self, request):
                        time.sleep(1)

                    def put(self, request):
                        time.sleep(1)


                class Positions(WebSocketEndpoint):
                    async def on_receive(self, websocket, data):
                        time.sleep(1)
                        await websocket.send_text(data)
                """,
            "app.py": """
                from starlette.applications import Starlette
                from starlette.routing import Route, WebSocketRoute

                from endpoints import Depots, Positions

                app = Starlette(
                    routes=[Route("/depots/{code}", Depots), WebSocketRoute("/ws/positions", Positions)]
                )
                """,
        }
    )
    assert [(f.path.rsplit("/", 1)[-1], f.span.line, f.code, f.route) for f in findings] == [
        ("endpoints.py", 7, "AG301", "GET /depots/{code}"),
        ("endpoints.py", 8, "AG101", "GET /depots/{code}"),
        ("endpoints.py", 16, "AG101", "WEBSOCKET /ws/positions"),
    ]
    assert findings[0].message == (
        "async route GET /depots/{code} awaits nothing and blocks the event loop (time.sleep): "
        "declare it with def and Starlette runs it in its threadpool (40 threads by default)"
    )


def test_a_lock_shared_across_modules_is_judged_by_every_holder(analyze):
    findings = analyze(
        files={
            "locks.py": """
                import threading

                export_lock = threading.Lock()
                """,
            "exports.py": """
                from locks import export_lock


                def write_export(path: str, data: str) -> None:
                    with export_lock:
                        with open(path, "w") as handle:
                            handle.write(data)
                """,
            "api.py": """
                from locks import export_lock


                async def status():
                    with export_lock:
                        return {"busy": False}
                """,
        }
    )
    assert [(f.path.rsplit("/", 1)[-1], f.span.line, f.code, f.target) for f in findings] == [
        ("api.py", 5, "AG108", "threading.Lock.__enter__"),
    ]


def test_a_getter_reading_its_own_name_on_another_object_is_judged_in_full(analyze):
    """Walking every getter named 'name' starts with Foo.name, which reads 'self.bar.name':
    that nested read is looked up (Bar.name, walked later, blocks) instead of being taken as
    harmless, which left Foo.name remembered as harmless and the coroutine's read unreported."""
    findings = analyze(
        """
        import time


        class Foo:
            def __init__(self) -> None:
                self.bar = Bar()

            @property
            def name(self) -> str:
                return self.bar.name


        class Bar:
            @property
            def name(self) -> str:
                time.sleep(1)
                return "bar"


        async def handler(foo: Foo) -> str:
            return foo.name
        """
    )
    assert brief(findings) == [(21, "AG101", "time.sleep")]
    assert [hop.callee for hop in findings[0].chain] == ["app.Foo.name", "app.Bar.name", "time.sleep"]


def test_a_lock_taken_again_under_its_own_check_is_judged_in_full(analyze):
    """'done' takes the condition and, inside, calls '_notify', which takes it again: while the
    condition's holders are being judged, '_notify' must not be remembered as harmless, since
    'result' waits while holding it ('wake' then asks about '_notify' at the same depth)."""
    findings = analyze(
        """
        import threading


        class Future:
            def __init__(self) -> None:
                self._condition = threading.Condition()

            def _notify(self) -> None:
                with self._condition:
                    self._condition.notify_all()

            def done(self) -> None:
                with self._condition:
                    self._notify()

            def result(self, timeout: float) -> None:
                with self._condition:
                    self._condition.wait(timeout)


        def wake(future: Future) -> None:
            future._notify()


        async def handler(future: Future) -> None:
            future.done()
            wake(future)
        """
    )
    assert brief(findings) == [
        (26, "AG108", "threading.Condition.__enter__"),
        (27, "AG108", "threading.Condition.__enter__"),
    ]
    assert [hop.callee for hop in findings[1].chain] == [
        "app.wake",
        "app.Future._notify",
        "threading.Condition.__enter__",
    ]


def test_a_call_whose_result_is_awaited_later_made_an_awaitable(analyze):
    findings = analyze(
        """
        import asyncio
        import time


        def dispatch(delay: float):
            # Sync in sync code, a coroutine in async code (prefect's @async_dispatch).
            time.sleep(delay)


        async def deploy(delay: float):
            pending = dispatch(delay)
            other = dispatch(delay)
            await asyncio.gather(other)
            waited = await pending
            late = dispatch(delay)
            late = 1
            return waited, late
        """
    )
    assert brief(findings) == [(15, "AG101", "time.sleep")]


def _whole_program(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    """An analyzer as 'asyncguard check' makes it (one inference state for the run), and the
    files written for it."""
    from asyncguard.engine.analyzer import Analyzer
    from asyncguard.engine.project import Project
    from conftest import RUNNING, write_project

    paths = write_project(root, files)
    analyzer = Analyzer(Project(root, paths), Config(), RUNNING, shared_inference=True)
    analyzer.prepare()
    return analyzer, paths


_ROWS = """
    class Rows:
        def __init__(self, rows: list) -> None:
            self._rows = rows

        def values(self) -> list:
            return list(self._rows)
    """

_STORE = """
    from rows import Rows

    SOURCES = {"rows": Rows([])}


    def open_rows():
        return SOURCES["rows"]
    """


def _caller(name: str) -> str:
    return f"""
    from store import open_rows


    async def {name}() -> list:
        rows = open_rows()
        return rows.values()
    """


def test_method_names_only_harmless_workspace_functions_define_are_not_looked_up(tmp_path: Path) -> None:
    """'rows.values()': the catalog lists no method 'values', and the one workspace function of
    that name never blocks, so whatever jedi would answer, nothing is found: a whole-program
    run does not ask. Once 'values' blocks (the file is saved with a sleep in it), the calls
    are looked up again, in the module that asked first and in one that took the remembered
    verdict. The editor, which analyses open files only, asks jedi instead of walking."""
    files = {"rows.py": _ROWS, "store.py": _STORE, "api.py": _caller("listing"), "jobs.py": _caller("export")}
    analyzer, paths = _whole_program(tmp_path, files)
    assert analyzer.check_path(paths[2]).findings == []
    assert analyzer.check_path(paths[3]).findings == []
    assert analyzer.resolver.jedi_calls == 0
    assert analyzer.reach.method_may_block("values") is False

    sleeping = _ROWS.replace("return list", "time.sleep(0.1)\n            return list")
    paths[0].write_text("import time\n" + textwrap.dedent(sleeping))
    analyzer.invalidate(paths[0])
    for path, function in ((paths[3], "export"), (paths[2], "listing")):
        findings = analyzer.check_path(path).findings
        assert brief(findings) == [(6, "AG101", "time.sleep")], function
        assert [hop.callee for hop in findings[0].chain] == ["rows.Rows.values", "time.sleep"]
    assert analyzer.resolver.jedi_calls == 2

    from asyncguard.engine.analyzer import Analyzer
    from asyncguard.engine.project import Project
    from conftest import RUNNING

    editor = Analyzer(Project(tmp_path, paths), Config(), RUNNING)
    editor.prepare()
    paths[0].write_text(textwrap.dedent(_ROWS))
    assert editor.check_path(paths[2]).findings == []
    assert editor.resolver.jedi_calls == 1


def test_a_method_verdict_drawn_inside_a_cycle_is_not_kept(tmp_path: Path) -> None:
    """Walking every 'perform' from inside 'step' meets 'step' again, unfinished: that walk
    cannot say 'perform' never blocks, and 'job.perform()' in another coroutine is still
    looked up."""
    code = """
        import time


        class Job:
            def perform(self) -> None:
                step()


        JOBS = {"nightly": Job()}


        def make_job():
            return JOBS["nightly"]


        def step() -> None:
            make_job().perform()
            time.sleep(1)


        async def tick() -> None:
            step()


        async def nightly() -> None:
            job = make_job()
            job.perform()
        """
    analyzer, paths = _whole_program(tmp_path, {"app.py": code})
    findings = analyzer.check_path(paths[0]).findings
    assert brief(findings) == [(22, "AG101", "time.sleep"), (27, "AG101", "time.sleep")]
    assert [hop.callee for hop in findings[1].chain] == ["app.Job.perform", "app.step", "time.sleep"]


def test_a_run_once_guard_follows_an_edit_of_the_helper_it_relies_on() -> None:
    """Large modules are re-parsed one top-level statement at a time and unchanged functions
    reused; whether a guarded call runs once depends on another function's body, so an edit
    there must be seen by the unchanged caller."""
    from asyncguard.engine.model import build_module
    from asyncguard.engine.parsing import ChunkCache

    filler = "".join(f"\n\ndef filler_{n}(value: int) -> int:\n    return value + {n}\n" for n in range(900))
    text = (
        "_cache: dict[str, str] = {}\n\n\n"
        "def cached() -> str:\n    if not _cache:\n        _load()\n    return _cache['a']\n\n\n"
        "def _load() -> None:\n    _cache['a'] = open('a.txt').read()\n" + filler
    )
    assert len(text) > 20_000  # the size from which statements are reused
    first = build_module("app.py", "app", text, ChunkCache.empty())
    assert [site.once for site in first.functions["cached"].calls] == [True]
    edited = text.replace("    _cache['a'] = open('a.txt').read()\n", "    print(open('a.txt').read())\n")
    second = build_module("app.py", "app", edited, first.chunks)
    assert [site.once for site in second.functions["cached"].calls] == [False]
    # An edit that changes no fill keeps reusing the unchanged functions.
    third = build_module("app.py", "app", edited.replace("value + 7\n", "value + 70\n"), second.chunks)
    assert third.functions["filler_5"] is second.functions["filler_5"]
