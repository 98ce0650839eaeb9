"""Which calls run on the event loop: async bodies only, not what they pass along."""

from __future__ import annotations

import textwrap

from asyncguard.engine.findings import Finding
from asyncguard.fixes.builders import Document, fixes_for
from conftest import brief


def fix_titles(code: str, findings: list[Finding]) -> list[list[str]]:
    """The quick fixes the editor offers for each finding of the module, in order."""
    document = Document(textwrap.dedent(code).lstrip("\n"))
    return [[fix.title for fix in fixes_for(document, finding, findings)] for finding in findings]


def test_direct_call_in_async_def_is_flagged_and_sync_def_is_not(analyze):
    findings = analyze(
        """
        import time

        async def handler():
            time.sleep(1)

        def sync_handler():
            time.sleep(1)
        """
    )
    assert brief(findings) == [(4, "AG101", "time.sleep")]
    finding = findings[0]
    assert (finding.span.col, finding.span.end_col) == (4, 17)
    assert (finding.func_span.col, finding.func_span.end_col) == (4, 14)
    assert finding.message == "time.sleep blocks the event loop in async function handler"


def test_offloaded_callables_are_not_on_the_loop(analyze):
    findings = analyze(
        """
        import asyncio
        import functools

        import anyio.to_thread
        import requests
        from fastapi import BackgroundTasks
        from starlette.concurrency import run_in_threadpool


        async def handler(url: str, tasks: BackgroundTasks):
            def work():
                return requests.get(url)

            await asyncio.to_thread(work)
            await asyncio.to_thread(requests.get, url)
            await asyncio.to_thread(lambda: requests.get(url))
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, functools.partial(requests.get, url, timeout=3))
            await run_in_threadpool(requests.get, url)
            await anyio.to_thread.run_sync(requests.get, url)
            tasks.add_task(requests.post, url, json={})
        """
    )
    assert findings == []


def test_type_checking_blocks_never_run(analyze):
    findings = analyze(
        """
        from typing import TYPE_CHECKING
        import time

        async def handler():
            if TYPE_CHECKING:
                time.sleep(1)
            else:
                time.sleep(2)
        """
    )
    assert brief(findings) == [(8, "AG101", "time.sleep")]


def test_awaited_async_apis_are_not_flagged(analyze):
    findings = analyze(
        """
        import asyncio

        import httpx
        import redis.asyncio as aredis
        from sqlalchemy.ext.asyncio import AsyncSession


        async def handler(db: AsyncSession):
            async with httpx.AsyncClient() as client:
                response = await client.get("https://example.com")
            cache = aredis.Redis()
            await cache.get("key")
            await cache.set("key", response.text)
            await db.execute("select 1")
            await db.commit()
            await asyncio.sleep(1)
            await asyncio.gather(cache.get("a"), cache.get("b"))
        """
    )
    assert findings == []


def test_arguments_of_awaited_calls_still_run_on_the_loop(analyze):
    findings = analyze(
        """
        import asyncio
        import requests

        async def handler(url: str):
            await asyncio.to_thread(print, requests.get(url).text)
        """
    )
    assert brief(findings) == [(5, "AG102", "requests.api.get")]


def test_offload_misuse_is_its_own_finding(analyze):
    findings = analyze(
        """
        import asyncio
        import requests
        from starlette.concurrency import run_in_threadpool

        async def handler(url: str):
            await asyncio.to_thread(requests.get(url))
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, requests.get(url))
            await run_in_threadpool(requests.get(url))
        """
    )
    assert brief(findings) == [
        (6, "AG201", "requests.api.get"),
        (8, "AG201", "requests.api.get"),
        (9, "AG201", "requests.api.get"),
    ]
    assert findings[0].message == (
        "requests.get(...) runs on the event loop before asyncio.to_thread gets it: "
        "pass the function and its arguments, asyncio.to_thread(requests.get, ...)"
    )


def test_lambda_called_synchronously_runs_on_the_loop_without_await(analyze):
    findings = analyze(
        """
        import os

        async def largest(paths: list[str]):
            return max(paths, key=lambda p: os.path.getsize(p))
        """
    )
    assert brief(findings) == [(4, "AG104", "os.path.getsize")]
    assert findings[0].fix["awaitable"] is False
    assert findings[0].severity == "info"


def test_comprehensions_and_nested_expressions_run_on_the_loop(analyze):
    findings = analyze(
        """
        from pathlib import Path

        async def read_all(paths: list[str]):
            return [Path(p).read_text() for p in paths if p]
        """
    )
    assert brief(findings) == [(4, "AG104", "pathlib.Path.read_text")]


def test_defaults_of_nested_defs_run_now_but_their_bodies_do_not(analyze):
    findings = analyze(
        """
        import time

        async def handler():
            def later(delay=time.sleep(0)):
                time.sleep(5)
            return later
        """
    )
    assert brief(findings) == [(4, "AG101", "time.sleep")]


def test_async_comprehension_and_async_for_iterables_are_treated_as_async(analyze):
    findings = analyze(
        """
        import httpx

        async def stream(client: httpx.AsyncClient):
            async with client.stream("GET", "https://example.com") as response:
                async for chunk in response.aiter_bytes():
                    yield chunk
        """
    )
    assert findings == []


def test_executor_submit_of_a_call_is_offload_misuse(analyze):
    findings = analyze(
        """
        from concurrent.futures import ThreadPoolExecutor

        import requests

        executor = ThreadPoolExecutor(4)


        async def handler(url: str, form):
            executor.submit(requests.get(url))
            executor.submit(requests.get, url)
            form.submit(len(url))
        """
    )
    assert brief(findings) == [(9, "AG201", "requests.api.get")]
    assert "before executor.submit gets it" in findings[0].message


def test_generators_run_where_they_are_iterated_not_where_they_are_streamed(analyze):
    findings = analyze(
        """
        import asyncio

        from fastapi.responses import StreamingResponse


        def read_lines(path):
            with open(path) as handle:
                yield from handle


        async def stream(path: str):
            lines = (line.upper() for line in read_lines(path))
            return StreamingResponse(lines)


        async def stream_inline(path: str):
            return StreamingResponse(line for line in read_lines(path))


        async def returned(path: str):
            return (line for line in read_lines(path))


        async def iterated_later(path: str):
            rows = read_lines(path)
            await asyncio.sleep(0)
            return [row for row in rows]


        async def joined(path: str):
            return "".join(line for line in read_lines(path))
        """
    )
    assert brief(findings) == [(25, "AG104", "builtins.open"), (31, "AG104", "builtins.open")]


def test_with_on_a_thread_lock_waits_while_another_holder_blocks_under_it(analyze):
    findings = analyze(
        """
        import asyncio
        import threading

        log_lock = threading.Lock()
        counter_lock = threading.Lock()
        guard = asyncio.Lock()
        hits = {"n": 0}


        def rotate_logs(path: str) -> None:
            with log_lock:
                with open(path, "a") as handle:
                    handle.write("rotated")


        class Stats:
            def __init__(self) -> None:
                self._lock = threading.RLock()
                self.rows: list[str] = []

            def reload(self, path: str) -> None:
                with self._lock:
                    self.rows = open(path).read().splitlines()

            def snapshot(self) -> list[str]:
                with self._lock:
                    return list(self.rows)


        stats = Stats()


        async def handler():
            with log_lock:
                hits["n"] += 1
            with counter_lock:
                hits["n"] += 1
            async with guard:
                pass
            return stats.snapshot()
        """
    )
    assert brief(findings) == [
        (34, "AG108", "threading.Lock.__enter__"),
        (40, "AG108", "threading.RLock.__enter__"),
    ]
    first = findings[0]
    assert (first.func_span.line, first.func_span.col, first.func_span.end_col) == (34, 9, 17)
    assert first.message == "threading.Lock.__enter__ blocks the event loop in async function handler"
    assert findings[1].callee == "app.Stats.snapshot"


def test_injected_dependencies_take_the_type_of_their_fallback(analyze):
    findings = analyze(
        """
        import boto3
        import requests

        _s3 = boto3.client("s3")


        class Store:
            def __init__(self, client=None):
                self.s3 = client or _s3

            def put(self, key: str) -> None:
                self.s3.put_object(Bucket="b", Key=key)


        class Service:
            def __init__(self, store=None, http=None):
                self.store = store or Store()
                self.http = http if http is not None else requests.Session()

            async def run(self):
                self.store.put("k")
                return self.http.get("https://example.com")
        """
    )
    assert brief(findings) == [
        (21, "AG107", "botocore.client.BaseClient.put_object"),
        (22, "AG102", "requests.sessions.Session.get"),
    ]


def test_a_joined_path_is_reported_as_the_path_it_is(analyze):
    # Where only jedi can type the receiver ('Final', a local first bound to None), it types
    # '.parent' and 'Path(...) / name' as PurePath, which has no mkdir, exists or unlink.
    findings = analyze(
        """
        from pathlib import Path
        from typing import Final


        async def serve(path: str) -> None:
            socket_path: Final = Path(path)
            socket_path.parent.mkdir(parents=True, exist_ok=True)


        async def convert(name: str) -> None:
            temp_file_path = None
            try:
                temp_file_path = Path("/tmp") / name
            finally:
                if temp_file_path and temp_file_path.exists():
                    temp_file_path.unlink()
        """
    )
    assert brief(findings) == [
        (7, "AG104", "pathlib.Path.mkdir"),
        (15, "AG104", "pathlib.Path.exists"),
        (16, "AG104", "pathlib.Path.unlink"),
    ]
    assert findings[0].message == (
        "pathlib.Path.mkdir briefly blocks the event loop in async function serve (filesystem metadata)"
    )


def test_forms_that_return_at_once_are_not_reported(analyze):
    findings = analyze(
        """
        import os
        import queue
        import threading
        from concurrent.futures import Future, ThreadPoolExecutor

        lock = threading.Lock()
        jobs: queue.Queue = queue.Queue()
        pool = ThreadPoolExecutor()


        async def poll(pid: int, future: Future) -> None:
            lock.acquire(blocking=False)
            lock.acquire(False)
            jobs.get(block=False)
            future.result(timeout=0)
            pool.shutdown(wait=False)
            os.waitpid(-1, os.WNOHANG)
            os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
            os.wait4(pid, os.WNOHANG)


        async def waits(pid: int, future: Future) -> None:
            lock.acquire()
            jobs.get(True)
            future.result(timeout=5)
            pool.shutdown()
            os.waitpid(pid, 0)
            os.waitpid(pid, os.WUNTRACED)
        """
    )
    assert [(line, target) for line, _, target in brief(findings)] == [
        (23, "_thread.LockType.acquire"),
        (24, "queue.Queue.get"),
        (25, "concurrent.futures._base.Future.result"),
        (26, "concurrent.futures.thread.ThreadPoolExecutor.shutdown"),
        (27, "os.waitpid"),
        (28, "os.waitpid"),
    ]


def test_a_finished_future_handed_over_by_tenacity_does_not_wait(analyze):
    findings = analyze(
        """
        from concurrent.futures import Future, ThreadPoolExecutor

        from tenacity import RetryCallState

        pool = ThreadPoolExecutor()


        async def before_sleep(retry_state: RetryCallState) -> None:
            error = retry_state.outcome.exception() if retry_state.outcome else None
            print(error, retry_state.outcome.result())


        async def waits(future: Future) -> None:
            future.result()
            pool.submit(print).exception()
        """
    )
    assert brief(findings) == [
        (14, "AG108", "concurrent.futures._base.Future.result"),
        (15, "AG108", "concurrent.futures._base.Future.exception"),
    ]


def test_an_ignore_comment_on_a_helpers_returned_lazy_result_accepts_it(analyze):
    findings = analyze(
        """
        import boto3

        s3 = boto3.client("s3")


        def pages():
            return s3.get_paginator("list_objects_v2").paginate(Bucket="b")  # asyncguard: ignore[AG107]


        def other_pages():
            return s3.get_paginator("list_objects_v2").paginate(Bucket="b")


        async def handler():
            for page in pages():
                print(page)
            for page in other_pages():
                print(page)
        """
    )
    assert brief(findings) == [(17, "AG107", "botocore.paginate.Paginator.paginate")]


def test_boto3_pages_block_where_they_are_iterated(analyze):
    findings = analyze(
        """
        import boto3

        s3 = boto3.client("s3")


        def keys(prefix: str) -> list[str]:
            found = []
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="b", Prefix=prefix):
                found.extend(item["Key"] for item in page.get("Contents", []))
            return found


        def pages():
            return s3.get_paginator("list_objects_v2").paginate(Bucket="b")


        async def handler():
            lazy = pages()
            return keys("p/"), lazy
        """
    )
    assert brief(findings) == [(19, "AG107", "botocore.paginate.Paginator.paginate")]
    assert findings[0].chain[-1].callee == "botocore.paginate.Paginator.paginate"


DJANGO_VIEWS = """
from asgiref.sync import sync_to_async
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=10)


def item_names():
    return [item.name for item in Item.objects.filter(name__startswith="a")]


async def names():
    rows = Item.objects.filter(name="x")
    out = [item.name for item in rows]
    for item in Item.objects.all():
        out.append(item.name)
    listed = list(Item.objects.values_list("name", flat=True))
    lazy = Item.objects.exclude(name="y")
    async for item in Item.objects.filter(name="z"):
        out.append(item.name)
    safe = await sync_to_async(list)(Item.objects.filter(name="q"))
    return out, listed, lazy, safe, item_names()
"""


def test_a_django_queryset_blocks_where_it_is_iterated(analyze):
    """Building a QuerySet runs no query; iterating one does (a for loop, a comprehension,
    list()), and 'async for' or sync_to_async(list) are the async ways. The offloading quick fix
    is not offered where only the lazy call could be moved: its iteration would stay on the loop."""
    findings = analyze(DJANGO_VIEWS)
    assert [(f.span.line, f.code, f.message) for f in findings] == [
        (
            14,
            "AG106",
            "iterating the result of django.db.models.query.QuerySet.filter blocks the event loop "
            "in async function names",
        ),
        (
            16,
            "AG106",
            "iterating the result of django.db.models.query.QuerySet.all blocks the event loop "
            "in async function names",
        ),
        (
            18,
            "AG106",
            "iterating the result of django.db.models.query.QuerySet.values_list blocks the event loop "
            "in async function names",
        ),
        (
            23,
            "AG106",
            "item_names blocks the event loop in async function names: "
            "it calls django.db.models.query.QuerySet.filter",
        ),
    ]
    titles = fix_titles(DJANGO_VIEWS, findings)
    assert titles[:3] == [["Ignore AG106 on this line"]] * 3
    assert titles[3][0].startswith("Run item_names in a thread")


def test_a_run_of_lazy_results_gets_no_block_fix(analyze):
    """Moving the statements that make the QuerySets into a thread function would hand 'rows'
    back unevaluated, to be iterated on the loop after all: no block fix either."""
    code = """
        from django.db import models


        class Item(models.Model):
            name = models.CharField(max_length=10)


        async def names():
            out = []
            for item in Item.objects.all():
                out.append(item.name)
            rows = Item.objects.filter(name="x")
            return out, [row.name for row in rows]
        """
    findings = analyze(code)
    assert brief(findings) == [
        (10, "AG106", "django.db.models.query.QuerySet.all"),
        (12, "AG106", "django.db.models.query.QuerySet.filter"),
    ]
    assert fix_titles(code, findings) == [["Ignore AG106 on this line"]] * 2


def test_slices_and_membership_tests_iterate_what_they_are_given(analyze):
    findings = analyze(
        """
        import time

        from django.db import models


        class Item(models.Model):
            name = models.CharField(max_length=10)


        def numbers():
            time.sleep(1)
            yield 1


        async def handler(name: str):
            recent = Item.objects.filter(name="x")[:50]
            names = {item.name for item in recent}
            listed = Item.objects.values_list("name", flat=True)
            if name in listed:
                return names
            if 1 in numbers():
                return None
            later = Item.objects.order_by("name")[:10]
            return [item async for item in later]
        """
    )
    assert brief(findings) == [
        (16, "AG106", "django.db.models.query.QuerySet.filter"),
        (18, "AG106", "django.db.models.query.QuerySet.values_list"),
        (21, "AG101", "time.sleep"),
    ]


HELPERS_RETURNING_LAZY_RESULTS = """
import time

import boto3
from django.db import models

s3 = boto3.client("s3")


class Item(models.Model):
    name = models.CharField(max_length=10)


def items(name: str):
    found = Item.objects.filter(name=name)
    if name:
        found = found.order_by("name")
    return found


def recent(name: str):
    return items(name)[:10]


def pages():
    return s3.get_paginator("list_objects_v2").paginate(Bucket="b")


def numbers():
    time.sleep(1)
    yield 1


def counted():
    return numbers()


async def handler(name: str):
    names = [item.name for item in recent(name)]
    for page in pages():
        names.append(page)
    total = sum(counted())
    kept = items(name)
    return names, total, kept
"""


def test_a_helper_returning_a_lazy_result_blocks_where_its_caller_iterates_it(analyze):
    """'return Item.objects.filter(...)' (also through a local, a slice or another helper),
    a paginator or a generator: iterating the helper's result runs the query, the requests or
    the generator's body on the loop; keeping the result without iterating it does not. Moving
    the helper call to a thread would leave the iteration on the loop: no offloading fix."""
    findings = analyze(HELPERS_RETURNING_LAZY_RESULTS)
    assert [(f.span.line, f.code, f.message) for f in findings] == [
        (
            38,
            "AG106",
            "iterating the result of recent blocks the event loop in async function handler: "
            "it reaches django.db.models.query.QuerySet.filter 2 calls down",
        ),
        (
            39,
            "AG107",
            "iterating the result of pages blocks the event loop in async function handler: "
            "it returns botocore.paginate.Paginator.paginate",
        ),
        (
            41,
            "AG101",
            "iterating the result of counted blocks the event loop in async function handler: "
            "it reaches time.sleep 2 calls down",
        ),
    ]
    assert [hop.callee for hop in findings[0].chain] == [
        "app.recent",
        "app.items",
        "django.db.models.query.QuerySet.filter",
    ]
    assert findings[0].alternative.startswith(
        "build the list in a thread (await asyncio.to_thread(lambda: list(recent(...)))) "
        "or make the chain async"
    )
    assert fix_titles(HELPERS_RETURNING_LAZY_RESULTS, findings) == [
        ["Ignore AG106 on this line"],
        ["Ignore AG107 on this line"],
        ["Ignore AG101 on this line"],
    ]


def test_fetching_from_a_client_side_psycopg2_cursor_is_local(analyze):
    findings = analyze(
        """
        import psycopg2


        async def handler():
            conn = psycopg2.connect("dbname=app")
            with conn.cursor() as cur:
                cur.execute("select 1")
                one = cur.fetchone()
            named = conn.cursor("big")
            named.execute("select * from events")
            many = named.fetchmany(100)
            return one, many
        """
    )
    assert brief(findings) == [
        (5, "AG106", "psycopg2.connect"),
        (7, "AG106", "psycopg2.extensions.cursor.execute"),
        (10, "AG106", "psycopg2.extensions.cursor.execute"),
        (11, "AG106", "psycopg2.extensions.cursor.fetchmany"),
    ]


def test_loaders_block_as_reading_their_argument_does(analyze):
    findings = analyze(
        """
        import io
        import json
        import pickle
        import urllib.request


        async def handler(path: str):
            with open(path, encoding="utf-8") as handle:
                settings = json.load(handle)
            with open(path, "rb") as raw:
                state = pickle.load(raw)
            with urllib.request.urlopen("https://example.com/a.json", timeout=5) as response:
                remote = json.load(response)
            local = json.load(io.StringIO("{}"))
            return settings, state, remote, local
        """
    )
    assert brief(findings) == [
        (8, "AG104", "builtins.open"),
        (9, "AG104", "json.load"),
        (10, "AG104", "builtins.open"),
        (11, "AG104", "pickle.load"),
        (12, "AG102", "urllib.request.urlopen"),
        (13, "AG102", "json.load"),
    ]
    assert findings[1].message == "json.load blocks the event loop in async function handler"
    assert findings[5].reason == "reads the response body from the socket on the calling thread"
