"""Resolution: every way real code reaches a blocking call, and look-alikes that must not match."""

from __future__ import annotations

from conftest import brief


def test_import_aliases_and_module_level_aliases(analyze):
    findings = analyze(
        """
        import requests as r
        from time import sleep as nap
        from subprocess import run as sh
        import requests

        fetch = requests.get

        async def handler(url: str):
            r.post(url, json={})
            nap(0.5)
            sh(["ls"])
            fetch(url)
        """
    )
    assert brief(findings) == [
        (9, "AG102", "requests.api.post"),
        (10, "AG101", "time.sleep"),
        (11, "AG103", "subprocess.run"),
        (12, "AG102", "requests.api.get"),
    ]


def test_reexport_through_a_package_init(analyze):
    findings = analyze(
        files={
            "clients/__init__.py": "from .http import fetch_json\n",
            "clients/http.py": "from requests import get as fetch_json\n",
            "routes.py": """
                from clients import fetch_json

                async def handler(url: str):
                    return fetch_json(url).json()
                """,
        }
    )
    assert brief(findings) == [(4, "AG102", "requests.api.get")]


def test_instances_from_constructors_annotations_and_with_targets(analyze):
    findings = analyze(
        """
        import httpx
        import requests


        def make_session() -> requests.Session:
            return requests.Session()


        async def handler(url: str):
            session = requests.Session()
            session.get(url)
            make_session().post(url)
            client = make_session()
            client.delete(url)
            with httpx.Client() as http:
                http.get(url)
        """
    )
    assert brief(findings) == [
        (11, "AG102", "requests.sessions.Session.get"),
        (12, "AG102", "requests.sessions.Session.post"),
        (14, "AG102", "requests.sessions.Session.delete"),
        (16, "AG102", "httpx._client.Client.get"),
    ]


def test_typed_parameters_including_fastapi_dependencies(analyze):
    findings = analyze(
        """
        from typing import Annotated

        from fastapi import Depends, FastAPI
        from sqlalchemy import select, text
        from sqlalchemy.orm import Session

        app = FastAPI()


        def get_db():
            yield Session()


        @app.get("/a")
        async def a(db: Session = Depends(get_db)):
            return db.execute(text("select 1")).all()


        @app.get("/b")
        async def b(db: Annotated[Session, Depends(get_db)]):
            db.commit()


        async def c(db: Session):
            return db.scalars(select(1)).all()
        """
    )
    assert [(line, code, target) for line, code, target in brief(findings) if code != "AG301"] == [
        (16, "AG106", "sqlalchemy.orm.session.Session.execute"),
        (21, "AG106", "sqlalchemy.orm.session.Session.commit"),
        (25, "AG106", "sqlalchemy.orm.session.Session.scalars"),
    ]


def test_attributes_set_in_init_and_inherited_methods(analyze):
    findings = analyze(
        """
        import requests
        from sqlalchemy.orm import Session


        class ApiSession(requests.Session):
            pass


        class Service:
            def __init__(self, session: Session) -> None:
                self.session = session
                self.http = ApiSession()

            async def run(self, url: str):
                self.session.commit()
                self.http.get(url)
        """
    )
    assert brief(findings) == [
        (15, "AG106", "sqlalchemy.orm.session.Session.commit"),
        (16, "AG102", "requests.sessions.Session.get"),
    ]


def test_look_alikes_do_not_match(analyze):
    findings = analyze(
        """
        import asyncio
        import json
        import logging
        import os
        import time
        from pathlib import Path

        import httpx
        import redis.asyncio as aredis
        from sqlalchemy.ext.asyncio import AsyncSession

        log = logging.getLogger(__name__)


        class Registry:
            def get(self, key):
                return key

            def execute(self, query):
                return query

            def read(self):
                return ""


        async def handler(db: AsyncSession, registry: Registry, payload: str):
            data = {"a": 1}
            data.get("a")
            registry.get("a")
            registry.execute("q")
            registry.read()
            client = httpx.AsyncClient()
            await client.get("https://example.com")
            cache = aredis.Redis()
            await cache.get("k")
            await db.execute("select 1")
            await asyncio.sleep(1)
            os.path.join("a", "b")
            Path("a").with_suffix(".txt").name
            time.time()
            json.loads(payload)
            log.info("done")
            os.getenv("HOME")
        """
    )
    assert findings == []


def test_archives_over_in_memory_buffers_do_not_block(analyze):
    findings = analyze(
        """
        import io
        import tarfile
        import zipfile


        async def pack(data: bytes, files: dict):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                first = archive.read(archive.namelist()[0])
            out = io.BytesIO()
            bundle = zipfile.ZipFile(out, "w")
            for name, body in files.items():
                bundle.writestr(name, body)
            tar = tarfile.open(fileobj=io.BytesIO(data))
            zipfile.ZipFile("real.zip").extractall("x")
            return first, tar
        """
    )
    assert brief(findings) == [
        (14, "AG104", "zipfile.ZipFile"),
        (14, "AG104", "zipfile.ZipFile.extractall"),
    ]


def test_same_file_names_in_namespace_folders_do_not_collide(analyze):
    findings = analyze(
        files={
            "pyproject.toml": "[project]\nname = 'x'\n",
            "app/routers/files.py": """
                from app.utils.files import checksum

                async def upload(path: str):
                    return checksum(path)
                """,
            "app/models/files.py": "def checksum(path):\n    return 0\n",
            "app/utils/files.py": "def checksum(path):\n    return open(path, 'rb').read()\n",
        }
    )
    assert brief(findings) == [(4, "AG104", "builtins.open")]


def test_modules_under_a_namespace_folder_of_a_package_keep_their_full_name(analyze):
    # pkg/hooks/ and pkg/plugins/ have no __init__.py: their 'sample' packages are namespace
    # portions of pkg, imported as pkg.plugins.sample.impl, whatever their own __init__ says.
    findings = analyze(
        files={
            "pyproject.toml": "[project]\nname = 'x'\n",
            "pkg/__init__.py": "",
            "pkg/hooks/sample/__init__.py": "",
            "pkg/hooks/sample/impl.py": "def work():\n    return 1\n",
            "pkg/plugins/sample/__init__.py": "",
            "pkg/plugins/sample/impl.py": """
                import time


                def load():
                    time.sleep(1)


                def work():
                    load()
                """,
            "pkg/routes.py": """
                from pkg.plugins.sample.impl import work

                async def handler():
                    work()
                """,
        }
    )
    assert brief(findings) == [(4, "AG101", "time.sleep")]
    assert [step.callee for step in findings[0].chain] == [
        "pkg.plugins.sample.impl.work",
        "pkg.plugins.sample.impl.load",
        "time.sleep",
    ]


def test_imports_inside_a_function_are_its_import_table(analyze):
    # 'load' is no catalog method: only the import tells what 'json.load' is, here as at
    # module level. A name also bound otherwise in the frame is not taken from its import.
    findings = analyze(
        """
        async def airlines(path: str):
            import json

            with open(path, encoding="utf-8") as f:
                return json.load(f)


        def outer():
            import pickle as pk

            async def inner(path: str):
                with open(path, "rb") as f:
                    return pk.load(f)

            return inner


        async def shadowed(json, path: str):
            import json

            with open(path) as f:
                return json.load(f)
        """
    )
    assert brief(findings) == [
        (4, "AG104", "builtins.open"),
        (5, "AG104", "json.load"),
        (12, "AG104", "builtins.open"),
        (13, "AG104", "pickle.load"),
        (21, "AG104", "builtins.open"),
    ]


def test_an_overloaded_name_runs_its_implementation(analyze):
    findings = analyze(
        files={
            "clients.py": """
                import time
                from typing import overload


                @overload
                def get_client(sync: bool) -> int: ...
                @overload
                def get_client() -> str: ...
                def get_client(sync=False):
                    time.sleep(1)
                    return 1


                class Store:
                    @overload
                    def read(self, key: int) -> int: ...
                    @overload
                    def read(self, key: str) -> str: ...
                    def read(self, key):
                        return open(key).read()
                """,
            "app.py": """
                from clients import Store, get_client


                async def module_import():
                    return get_client()


                async def local_import():
                    from clients import get_client as client

                    return client(True)


                async def method(store: Store):
                    return store.read("k")
                """,
        }
    )
    assert [(f.path.rsplit("/", 1)[-1], f.span.line, f.target) for f in findings] == [
        ("app.py", 5, "time.sleep"),
        ("app.py", 11, "time.sleep"),
        ("app.py", 15, "builtins.open"),
    ]
    assert [step.callee for step in findings[0].chain] == ["clients.get_client", "time.sleep"]


def test_a_bare_final_annotation_takes_the_type_of_its_value(analyze):
    # 'x: Final = ...' was typed 'typing.Final', and jedi's answer for one 'Final' receiver's
    # method stood for every other one of the same name: here the asyncio task's result().
    findings = analyze(
        """
        import asyncio
        from concurrent.futures import ThreadPoolExecutor
        from typing import Any, ClassVar, Final

        import requests

        pool = ThreadPoolExecutor()


        class Api:
            session: ClassVar = requests.Session()

            async def ping(self):
                return self.session.get("https://example.com")


        async def waits():
            future: Final = pool.submit(print)
            return future.result()


        async def work():
            return 1


        async def done():
            task: Final = asyncio.ensure_future(work())
            await asyncio.wait((task,))
            return task.result()


        async def any_task():
            task: Any = asyncio.ensure_future(work())
            await asyncio.wait((task,))
            return task.result()
        """
    )
    assert brief(findings) == [
        (14, "AG102", "requests.sessions.Session.get"),
        (19, "AG108", "concurrent.futures._base.Future.result"),
    ]


def test_items_of_containers_declared_with_what_they_hold_are_typed(analyze):
    findings = analyze(
        """
        from typing import Dict, Optional

        import requests

        CLIENTS: Dict[str, requests.Session] = {}
        POOL: list[requests.Session] = []
        NAMES: dict[str, str] = {}


        class Registry:
            def __init__(self) -> None:
                self.sessions: dict[str, requests.Session] = {}

            async def call(self, name: str):
                session = self.sessions.get(name)
                if session is not None:
                    return session.get("https://example.com")
                for s in self.sessions.values():
                    s.post("https://example.com")


        async def handler(name: str, extra: Optional[dict[str, requests.Session]] = None):
            session = CLIENTS.get(name)
            if session:
                session.get("https://example.com")
            for s in POOL:
                s.get("https://example.com")
            if extra:
                extra[name].get("https://example.com")
            label = NAMES.get(name)
            return label.split()


        async def untyped(name: str, table: dict):
            return table.get(name).get("x")
        """
    )
    assert brief(findings) == [
        (17, "AG102", "requests.sessions.Session.get"),
        (19, "AG102", "requests.sessions.Session.post"),
        (25, "AG102", "requests.sessions.Session.get"),
        (27, "AG102", "requests.sessions.Session.get"),
        (29, "AG102", "requests.sessions.Session.get"),
    ]


def test_an_imported_container_keeps_what_its_module_declares_it_holds(analyze):
    findings = analyze(
        files={
            "clients.py": """
                import requests

                SESSIONS: dict[str, requests.Session] = {}
                """,
            "app.py": """
                from clients import SESSIONS


                async def user(name: str):
                    session = SESSIONS.get(name)
                    if session is not None:
                        session.get("https://example.com/users")
                """,
        }
    )
    assert brief(findings) == [(7, "AG102", "requests.sessions.Session.get")]


def test_callee_split_over_lines(analyze):
    findings = analyze(
        """
        from sqlalchemy.orm import Session


        async def rows(db: Session, query):
            return (
                db.query(query)
            ).all()
        """
    )
    assert brief(findings) == [(5, "AG106", "sqlalchemy.orm.query.Query.all")]


def test_many_reassignments_stay_fast(analyze):
    import time

    steps = "\n".join("    stmt = stmt.filter(x > 1)" for _ in range(40))
    code = (
        "from sqlalchemy.orm import Session\n\n\nasync def f(db: Session, x):\n"
        "    stmt = db.query(x)\n" + steps + "\n    return stmt.all()\n"
    )
    started = time.monotonic()
    findings = analyze(code)
    assert time.monotonic() - started < 20
    # Every binding agrees (filter returns a Query): the type holds through the reassignments.
    assert [f.target for f in findings] == ["sqlalchemy.orm.query.Query.all"]


def test_tuple_assignment_keeps_each_type(analyze):
    findings = analyze(
        """
        import io
        import zipfile


        async def export(files: dict):
            output, names = io.BytesIO(), set()
            with zipfile.ZipFile(output, "w") as archive:
                for name, body in files.items():
                    archive.writestr(name, body)
            return output.getvalue()
        """
    )
    assert findings == []


def test_clients_kept_on_the_app_state_are_typed_where_they_are_used(analyze):
    findings = analyze(
        """
        from contextlib import asynccontextmanager

        import boto3
        import httpx
        from fastapi import FastAPI, Request


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.s3 = boto3.client("s3")
            app.state.http = httpx.AsyncClient()
            yield


        app = FastAPI(lifespan=lifespan)


        @app.get("/documents/{key}")
        async def document(key: str, request: Request):
            head = request.app.state.s3.head_object(Bucket="docs", Key=key)
            response = await request.app.state.http.get("https://example.com")
            return head, response.status_code
        """
    )
    assert brief(findings) == [
        (10, "AG107", "boto3.client"),
        (20, "AG107", "botocore.client.BaseClient.head_object"),
    ]
    assert findings[0].severity == "info"
    assert findings[0].message == "boto3.client briefly blocks the event loop in lifespan handler lifespan"


def test_functions_stored_on_the_instance_are_followed(analyze):
    findings = analyze(
        """
        import smtplib
        from collections.abc import Callable

        import requests


        def send_mail(to: str, subject: str) -> None:
            with smtplib.SMTP("localhost") as smtp:
                smtp.sendmail("noreply@example.com", [to], subject)


        class Notifier:
            def __init__(self, mailer: Callable[..., None] = send_mail, fetch=None, log=print):
                self.mailer = mailer
                self.fetch = fetch or requests.get
                self.log = log

            async def delivered(self, to: str) -> None:
                self.mailer(to, "Delivered")
                self.fetch("https://example.com/hook")
                self.log("sent")
        """
    )
    assert brief(findings) == [(19, "AG105", "smtplib.SMTP"), (20, "AG102", "requests.api.get")]
    assert findings[0].callee == "app.send_mail"


def test_sdk_clients_task_queues_and_search_clients(analyze):
    findings = analyze(
        files={
            "tasks.py": """
                from celery import Celery

                queue = Celery("app", broker="redis://localhost")


                @queue.task
                def send_receipt(order_id: int) -> None:
                    print(order_id)
                """,
            "app.py": """
                import anthropic
                from elasticsearch import AsyncElasticsearch, Elasticsearch
                from openai import AsyncOpenAI, OpenAI

                from tasks import send_receipt

                llm = OpenAI()
                allm = AsyncOpenAI()
                claude = anthropic.Anthropic()
                search = Elasticsearch("http://localhost:9200")
                asearch = AsyncElasticsearch("http://localhost:9200")


                async def handler(text: str):
                    answer = llm.chat.completions.create(model="m", messages=[])
                    better = await allm.chat.completions.create(model="m", messages=[])
                    other = claude.messages.create(model="m", max_tokens=10, messages=[])
                    hits = search.search(index="docs", query={"match": {"text": text}})
                    more = await asearch.search(index="docs", query={})
                    search.indices.refresh(index="docs")
                    result = send_receipt.delay(1)
                    result.get(timeout=5)
                    return answer, better, other, hits, more
                """,
        }
    )
    assert brief(findings) == [
        (15, "AG102", "openai.resources.chat.completions.completions.Completions.create"),
        (17, "AG102", "anthropic.resources.messages.messages.Messages.create"),
        (18, "AG106", "elasticsearch._sync.client.Elasticsearch.search"),
        (20, "AG106", "elasticsearch._sync.client.indices.IndicesClient.refresh"),
        (21, "AG105", "celery.app.task.Task.delay"),
        (22, "AG108", "celery.result.AsyncResult.get"),
    ]


def test_the_name_a_jedi_query_points_at_is_the_one_parso_would_find() -> None:
    """jedi finds the name under the cursor with parso's lookup, which we replace by one that
    skips what lies before or after the position: on every position of a real module it must
    answer what a plain scan of the leaves in source order answers."""
    import inspect

    import parso
    import requests.sessions
    from asyncguard.engine import jedi_tuning
    from parso.python.tree import PythonMixin

    assert PythonMixin.get_name_of_position is jedi_tuning._name_of_position
    source = inspect.getsource(requests.sessions)
    # Also as it is while being typed: every 17th line gone leaves error nodes all over the tree.
    broken = "".join(line for n, line in enumerate(source.splitlines(keepends=True)) if n % 17 != 5)
    checked = 0
    for text in (source, broken):
        tree = parso.parse(text)
        names = []
        leaf = tree.get_first_leaf()
        while leaf is not None:
            if leaf.type == "name":
                names.append(leaf)
            leaf = leaf.get_next_leaf()
        for number, line in enumerate(text.splitlines(), start=1):
            if number % 5:
                continue
            for column in range(len(line) + 2):
                position = (number, column)
                expected = next((n for n in names if n.start_pos <= position <= n.end_pos), None)
                assert tree.get_name_of_position(position) is expected
                checked += 1
    assert checked > 10_000


def test_parsed_trees_share_their_short_strings_and_still_give_back_the_source() -> None:
    """parso's leaves share one object per distinct short text and prefix (a tenth less memory
    for jedi's trees); the tree must still give back the source exactly, also for broken code
    and after an edit re-parsed by the diff parser."""
    import inspect

    import parso
    import requests.sessions
    from asyncguard.engine import jedi_tuning  # noqa: F401 - installs the sharing

    source = inspect.getsource(requests.sessions)
    broken = "".join(line for n, line in enumerate(source.splitlines(keepends=True)) if n % 17 != 5)
    for text in (source, broken):
        tree = parso.parse(text)
        assert tree.get_code() == text
        by_text: dict[str, set[int]] = {}
        leaf = tree.get_first_leaf()
        while leaf is not None:
            # Error recovery makes its leaves apart from the others (rare, and unshared).
            for piece in (leaf.value, leaf.prefix) if leaf.type != "error_leaf" else ():
                if len(piece) <= 40:
                    by_text.setdefault(piece, set()).add(id(piece))
            leaf = leaf.get_next_leaf()
        assert len(by_text["self"]) == 1 and len(by_text["\n    "]) == 1
        assert all(len(objects) == 1 for objects in by_text.values())
    grammar = parso.load_grammar()
    grammar.parse(source, diff_cache=True, path="edited.py")
    edited = source.replace("    def get_adapter(self, url", "    def get_adapter(self, *, url", 1)
    assert edited != source
    assert grammar.parse(edited, diff_cache=True, path="edited.py").get_code() == edited


def test_our_tree_walk_visits_what_ast_walk_visits_in_the_same_order() -> None:
    """Models and scans walk trees with a faster child iteration that leaves out contexts and
    operators: on real modules (and a hand-built node missing optional fields) it must visit
    every other node, breadth first, as `ast.walk` does."""
    import ast
    import inspect

    import fastapi.routing
    import requests.sessions
    import sqlalchemy.orm.session
    from asyncguard.engine.walk import child_nodes, walk

    leaves = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)
    for module in (requests.sessions, fastapi.routing, sqlalchemy.orm.session):
        tree = ast.parse(inspect.getsource(module))
        expected = [node for node in ast.walk(tree) if not isinstance(node, leaves)]
        assert list(walk(tree)) == expected
        assert len(expected) > 1_000
    handmade = ast.Call(func=ast.Name(id="f", ctx=ast.Load()), args=[ast.Constant(value=1)])
    assert [type(n).__name__ for n in child_nodes(handmade)] == ["Name", "Constant"]


def test_sdk_resource_methods_named_nowhere_else_in_the_catalog(analyze):
    """A whole-package entry ('openai.resources.*') lists no method names, so a call whose name
    no other entry ends in ('files.content', 'files.wait_for_processing') was never asked about
    and went unreported. A call on an attribute of an SDK client is worth the question."""
    findings = analyze(
        """
        from openai import AsyncOpenAI, OpenAI

        client = OpenAI()
        aclient = AsyncOpenAI()


        async def handler(file_id: str):
            data = client.files.content(file_id)
            done = client.files.wait_for_processing(file_id)
            other = await aclient.files.content(file_id)
            return data, done, other
        """
    )
    assert brief(findings) == [
        (8, "AG102", "openai.resources.files.Files.content"),
        (9, "AG102", "openai.resources.files.Files.wait_for_processing"),
    ]


def test_llm_frameworks_and_provider_sdks(analyze):
    """LangChain chains and models, a LangGraph graph, LlamaIndex query engines and the sync
    clients of other AI providers block like the OpenAI client; their async twins, prompt
    formatting and output parsing do not."""
    findings = analyze(
        """
        import ollama
        from google import genai
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_openai import ChatOpenAI
        from langgraph.prebuilt import create_react_agent

        llm = ChatOpenAI(model="gpt-4o-mini")
        prompt = ChatPromptTemplate.from_messages([("user", "{question}")])
        chain = prompt | llm | StrOutputParser()
        agent = create_react_agent(llm, tools=[])
        gemini = genai.Client()


        async def answer(question: str):
            messages = prompt.invoke({"question": question})
            text = StrOutputParser().invoke("plain text")
            first = chain.invoke({"question": question})
            second = await chain.ainvoke({"question": question})
            reply = llm.invoke(messages)
            state = agent.invoke({"messages": [("user", question)]})
            done = await agent.ainvoke({"messages": [("user", question)]})
            generated = gemini.models.generate_content(model="gemini-2.5-flash", contents=question)
            later = await gemini.aio.models.generate_content(model="gemini-2.5-flash", contents=question)
            local = ollama.chat(model="llama3", messages=[])
            return messages, text, first, second, reply, state, done, generated, later, local
        """
    )
    assert brief(findings) == [
        (18, "AG102", "langchain_core.runnables.base.Runnable.invoke"),
        (20, "AG102", "langchain_core.language_models.chat_models.BaseChatModel.invoke"),
        (21, "AG102", "langgraph.pregel.main.Pregel.invoke"),
        (23, "AG102", "google.genai.models.Models.generate_content"),
        (25, "AG102", "ollama.chat"),
    ]
    assert findings[0].alternative.startswith("await chain.ainvoke(")


def test_objects_made_from_an_sdk_object_are_looked_up(analyze):
    """'channel = connection.channel()' after 'connection = pika.BlockingConnection(...)': the
    channel's methods are listed by class, not by name, and the channel is found to come from
    pika through the names it was made from."""
    findings = analyze(
        """
        import pika


        async def publish(body: bytes):
            connection = pika.BlockingConnection(pika.ConnectionParameters("localhost"))
            channel = connection.channel()
            channel.basic_publish(exchange="", routing_key="jobs", body=body)
            connection.close()
        """
    )
    assert brief(findings) == [
        (5, "AG105", "pika.adapters.blocking_connection.BlockingConnection"),
        (6, "AG105", "pika.adapters.blocking_connection.BlockingConnection.channel"),
        (7, "AG105", "pika.adapters.blocking_connection.BlockingChannel.basic_publish"),
        (8, "AG105", "pika.adapters.blocking_connection.BlockingConnection.close"),
    ]


def test_a_pipe_chain_led_by_a_dict_is_typed_by_the_rest_of_the_chain(analyze):
    """LangChain's usual retrieval chain starts with a dict ('{"context": retriever, ...} |
    prompt | llm'): jedi types it as the dict and finds no 'invoke' on it, so the call was
    missed. The dict is turned into a runnable by the next step's '__ror__': the chain has the
    type of the chain after it."""
    findings = analyze(
        files={
            "rag.py": """
                from langchain_core.output_parsers import StrOutputParser
                from langchain_core.prompts import ChatPromptTemplate
                from langchain_core.runnables import RunnablePassthrough
                from langchain_core.vectorstores import InMemoryVectorStore
                from langchain_openai import ChatOpenAI, OpenAIEmbeddings

                retriever = InMemoryVectorStore(embedding=OpenAIEmbeddings()).as_retriever()
                prompt = ChatPromptTemplate.from_messages([("user", "{context}: {question}")])
                llm = ChatOpenAI(model="gpt-4o-mini")
                parser = StrOutputParser()
                rag_chain = {"context": retriever, "question": RunnablePassthrough()} | prompt | llm | parser
                """,
            "app.py": """
                from langchain_core.runnables import RunnablePassthrough

                from rag import llm, prompt, rag_chain, retriever


                async def ask(question: str) -> str:
                    local = {"question": question} | {"extra": 1}
                    return rag_chain.invoke(question) + str(local.get("extra"))


                async def ask_here(question: str):
                    chain = {"context": retriever, "question": RunnablePassthrough()} | prompt | llm
                    done = await chain.ainvoke(question)
                    return chain.invoke(question), done
                """,
        }
    )
    assert [(line, code) for line, code, _ in brief(findings)] == [(8, "AG102"), (14, "AG102")]
    # jedi names 'prompt | llm' by the generic '|' (Runnable.invoke) or, once it has inferred the
    # chat model through it in the same process, by the model's own method: both are the call.
    for finding in findings:
        assert finding.target in (
            "langchain_core.runnables.base.Runnable.invoke",
            "langchain_core.language_models.chat_models.BaseChatModel.invoke",
        )


def test_docker_models_from_the_client_collections(analyze):
    """docker-py builds a container model from the daemon's answer, which jedi cannot type:
    'container = client.containers.get(name); container.logs()' was missed."""
    findings = analyze(
        """
        import docker

        client = docker.from_env()


        async def logs(name: str):
            container = client.containers.get(name)
            text = container.logs(tail=100)
            client.containers.get(name).stop()
            return text
        """
    )
    assert brief(findings) == [
        (7, "AG102", "docker.models.containers.ContainerCollection.get"),
        (8, "AG102", "docker.models.containers.Container.logs"),
        (9, "AG102", "docker.models.containers.ContainerCollection.get"),
        (9, "AG102", "docker.models.containers.Container.stop"),
    ]


def test_vector_databases_litellm_and_an_sdk_objects_get(analyze):
    """Vector-database clients and litellm block like the other SDKs. 'client.collections.get(n)'
    is an SDK call handing back an SDK object, not a dict's .get() handing back data: the
    collection's query was left unasked and missed."""
    findings = analyze(
        """
        import litellm
        import weaviate
        from qdrant_client import AsyncQdrantClient, QdrantClient

        client = weaviate.connect_to_local()
        qdrant = QdrantClient(url="http://localhost:6333")
        aqdrant = AsyncQdrantClient(url="http://localhost:6333")
        settings = {"limit": 3}


        async def search(q: str):
            docs = client.collections.get("Docs")
            found = docs.query.near_text(query=q, limit=settings.get("limit"))
            points = qdrant.query_points("docs", query=[0.1, 0.2])
            more = await aqdrant.query_points("docs", query=[0.1, 0.2])
            answer = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": q}])
            return found, points, more, answer
        """
    )
    assert brief(findings) == [
        (
            13,
            "AG106",
            "weaviate.collections.queries.near_text.query.executor." + "_NearTextQueryExecutor.near_text",
        ),
        (14, "AG106", "qdrant_client.qdrant_client.QdrantClient.query_points"),
        (16, "AG102", "litellm.main.completion"),
    ]
