"""Which calls run on the event loop: async bodies only, not what they pass along."""

from __future__ import annotations

from conftest import brief


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
