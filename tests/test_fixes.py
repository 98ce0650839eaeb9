"""Quick fixes: the exact text after each fix is applied, and that it compiles."""

from __future__ import annotations

import textwrap
from pathlib import Path

from asyncguard.fixes.builders import Document, fix_all, fixes_for
from asyncguard.fixes.edits import apply_edits, compiles
from conftest import analyze_project


def fixed(tmp_path: Path, code: str, title_start: str, which: int = 0) -> str:
    code = textwrap.dedent(code).lstrip("\n")
    findings = analyze_project(tmp_path, {"app.py": code})
    doc = Document(code)
    fixes = fixes_for(doc, findings[which])
    chosen = [f for f in fixes if f.title.startswith(title_start)]
    assert chosen, [f.title for f in fixes]
    result = apply_edits(code, chosen[0].edits)
    assert compiles(result)
    return result


def titles(tmp_path: Path, code: str, which: int = 0) -> list[str]:
    code = textwrap.dedent(code).lstrip("\n")
    findings = analyze_project(tmp_path, {"app.py": code})
    return [f.title for f in fixes_for(Document(code), findings[which])]


def test_wrap_keeps_every_kind_of_argument_and_adds_the_import(tmp_path):
    result = fixed(
        tmp_path,
        '''
        """Users API."""
        from __future__ import annotations

        import json
        import requests


        async def fetch(url, args, kwargs):
            return requests.post(url, *args, timeout=3, **kwargs)
        ''',
        "Run requests.post in a thread",
    )
    assert result == textwrap.dedent(
        '''\
        """Users API."""
        from __future__ import annotations

        import asyncio
        import json
        import requests


        async def fetch(url, args, kwargs):
            return await asyncio.to_thread(requests.post, url, *args, timeout=3, **kwargs)
        '''
    )


def test_wrap_passes_the_bound_method_and_parenthesises_attribute_bases(tmp_path):
    result = fixed(
        tmp_path,
        """
        import asyncio as aio
        import requests


        async def fetch(url):
            session = requests.Session()
            return session.get(url).json()
        """,
        "Run session.get in a thread",
    )
    assert result.splitlines()[-1] == "    return (await aio.to_thread(session.get, url)).json()"
    assert "import asyncio\n" not in result


def test_wrap_reuses_from_asyncio_import_to_thread(tmp_path):
    result = fixed(
        tmp_path,
        """
        from asyncio import to_thread
        import subprocess


        async def run():
            subprocess.run(["ls"], check=True)
        """,
        "Run subprocess.run in a thread",
    )
    assert result.splitlines()[-1] == '    await to_thread(subprocess.run, ["ls"], check=True)'


def test_with_item_is_wrapped_in_place(tmp_path):
    result = fixed(
        tmp_path,
        """
        import asyncio


        async def read(path):
            with open(path) as handle:
                return handle
        """,
        "Run open in a thread",
    )
    assert "    with await asyncio.to_thread(open, path) as handle:\n" in result


def test_sleep_becomes_asyncio_sleep(tmp_path):
    code = """
        from time import sleep as nap


        async def wait():
            nap(0.5)
        """
    assert titles(tmp_path, code)[0] == "Use await asyncio.sleep(...)"
    result = fixed(tmp_path, code, "Use await asyncio.sleep")
    assert result == (
        "import asyncio\nfrom time import sleep as nap\n\n\nasync def wait():\n    await asyncio.sleep(0.5)\n"
    )


def test_run_in_threadpool_is_offered_second_in_starlette_modules(tmp_path):
    code = """
        import requests
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/x")
        async def x(url: str):
            data = requests.get(url)
            return data.json()
        """
    names = titles(tmp_path, code, which=1)
    assert names[0].startswith("Run requests.get in a thread: await asyncio.to_thread")
    assert names[1].startswith("Run requests.get in Starlette's threadpool")
    result = fixed(tmp_path, code, "Run requests.get in Starlette's threadpool", which=1)
    assert "from starlette.concurrency import run_in_threadpool\n" in result
    assert "    data = await run_in_threadpool(requests.get, url)\n" in result


def test_misuse_passes_the_function_and_its_arguments(tmp_path):
    result = fixed(
        tmp_path,
        """
        import asyncio
        import requests


        async def fetch(url):
            loop = asyncio.get_running_loop()
            a = await asyncio.to_thread(requests.get(url, timeout=3))
            b = await loop.run_in_executor(None, requests.get(url, timeout=3))
            return a, b
        """,
        "Pass requests.get and its arguments to asyncio.to_thread",
    )
    assert "    a = await asyncio.to_thread(requests.get, url, timeout=3)\n" in result
    result = fixed(
        tmp_path,
        """
        import asyncio
        import requests


        async def fetch(url):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, requests.get(url, timeout=3))
        """,
        "Pass requests.get and its arguments to loop.run_in_executor",
    )
    assert "import functools\n" in result
    assert (
        "    return await loop.run_in_executor(None, functools.partial(requests.get, url, timeout=3))\n"
        in result
    )


def test_async_route_without_await_becomes_def(tmp_path):
    result = fixed(
        tmp_path,
        """
        import requests
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/items")
        async def items():
            return requests.get("https://example.com").json()
        """,
        "Make items a plain def",
    )
    assert '@app.get("/items")\ndef items():\n' in result


def test_ignore_comment_is_added_or_merged(tmp_path):
    result = fixed(
        tmp_path,
        """
        import time


        async def wait():
            time.sleep(1)  # keep: tests need it
        """,
        "Ignore AG101 on this line",
    )
    assert result.splitlines()[-1] == "    time.sleep(1)  # keep: tests need it  # asyncguard: ignore[AG101]"


def test_no_wrap_inside_a_lambda(tmp_path):
    names = titles(
        tmp_path,
        """
        import os


        async def biggest(paths):
            return max(paths, key=lambda p: os.path.getsize(p))
        """,
    )
    assert names == ["Ignore AG104 on this line"]


def test_fix_all_wraps_every_safe_call_with_one_import(tmp_path):
    code = textwrap.dedent(
        """
        import time
        import requests


        async def handler(url):
            time.sleep(1)
            first = requests.get(url)
            second = requests.get(first.url).json()
            return first, second
        """
    ).lstrip("\n")
    findings = analyze_project(tmp_path, {"app.py": code})
    fix = fix_all(Document(code), findings)
    assert fix is not None and fix.kind == "source.fixAll.asyncguard"
    result = apply_edits(code, fix.edits)
    assert result == textwrap.dedent(
        """
        import asyncio
        import time
        import requests


        async def handler(url):
            await asyncio.sleep(1)
            first = await asyncio.to_thread(requests.get, url)
            second = (await asyncio.to_thread(requests.get, first.url)).json()
            return first, second
        """
    ).lstrip("\n")
    assert compiles(result)


def block_result(tmp_path, code: str, which: int = 0) -> tuple[list[str], str]:
    code = textwrap.dedent(code).lstrip("\n")
    findings = analyze_project(tmp_path, {"app.py": code})
    fixes = fixes_for(Document(code), findings[which], findings)
    block = [f for f in fixes if f.title.startswith("Run this block in a thread")]
    assert block, [f.title for f in fixes]
    result = apply_edits(code, block[0].edits)
    assert compiles(result)
    return [f.title for f in fixes], result


def test_block_fix_moves_a_run_of_db_calls_and_returns_what_later_code_uses(tmp_path):
    titles_, result = block_result(
        tmp_path,
        """
        from sqlalchemy.orm import Session


        async def rename(db: Session, user_id: int, name: str):
            user = db.get(dict, user_id)
            user.name = name
            db.commit()
            db.refresh(user)
            return {"id": user_id, "name": user.name}
        """,
    )
    assert result == textwrap.dedent(
        """
        import asyncio
        from sqlalchemy.orm import Session


        async def rename(db: Session, user_id: int, name: str):
            def _blocking_io():
                user = db.get(dict, user_id)
                user.name = name
                db.commit()
                db.refresh(user)
                return user
            user = await asyncio.to_thread(_blocking_io)
            return {"id": user_id, "name": user.name}
        """
    ).lstrip("\n")
    assert titles_[-2] == "Run this block in a thread (3 blocking calls, one await)"


def test_sqlite_connections_get_only_the_whole_block_fix(tmp_path):
    code = """
        import sqlite3


        async def count(path: str):
            conn = sqlite3.connect(path)
            cursor = conn.execute("select count(*) from users")
            total = cursor.fetchone()[0]
            conn.close()
            return total
        """
    names, result = block_result(tmp_path, code)
    assert names == ["Run this block in a thread (3 blocking calls, one await)", "Ignore AG106 on this line"]
    assert "    total = await asyncio.to_thread(_blocking_io)\n" in result
    assert "        conn = sqlite3.connect(path)\n" in result
    assert "        conn.close()\n        return total\n" in result


def test_with_open_block_moves_as_one(tmp_path):
    _, result = block_result(
        tmp_path,
        """
        async def read_config(path: str):
            with open(path) as handle:
                data = handle.read()
            return data.strip()
        """,
    )
    assert result == textwrap.dedent(
        """
        import asyncio


        async def read_config(path: str):
            def _blocking_io():
                with open(path) as handle:
                    data = handle.read()
                return data
            data = await asyncio.to_thread(_blocking_io)
            return data.strip()
        """
    ).lstrip("\n")


def test_with_on_a_thread_lock_offers_the_block_fix_and_no_wrap(tmp_path):
    offered, result = block_result(
        tmp_path,
        """
        import threading

        lock = threading.Lock()
        totals: dict[str, int] = {}


        def flush(path: str) -> None:
            with lock:
                with open(path, "w") as handle:
                    handle.write(repr(totals))


        async def record(name: str):
            with lock:
                totals[name] = totals.get(name, 0) + 1
            return {"ok": True}
        """,
    )
    assert not any(title.startswith("Wrap") for title in offered), offered
    assert result == textwrap.dedent(
        """
        import asyncio
        import threading

        lock = threading.Lock()
        totals: dict[str, int] = {}


        def flush(path: str) -> None:
            with lock:
                with open(path, "w") as handle:
                    handle.write(repr(totals))


        async def record(name: str):
            def _blocking_io():
                with lock:
                    totals[name] = totals.get(name, 0) + 1
            await asyncio.to_thread(_blocking_io)
            return {"ok": True}
        """
    ).lstrip("\n")


def test_fixes_land_on_the_call_when_other_characters_would_break_lines(tmp_path):
    """Only '\\n', '\\r\\n' and '\\r' end a line in Python: a form feed, a '\\u2028' in a string
    and a '\\x85' in a comment shifted every later line by one each, so the finding pointed
    at the wrong columns and its ignore comment went onto another line."""
    code = (
        'import time\n\x0c\nBANNER = "one\u2028two\x1c"  # \x85\n\n\n'
        'async def wait():\n    label = "éé"; time.sleep(0.5)\n'
    )
    findings = analyze_project(tmp_path, {"app.py": code})
    assert [(f.span.line, f.span.col, f.span.end_col, f.code) for f in findings] == [(7, 18, 33, "AG101")]
    assert fixed(tmp_path, code, "Use await asyncio.sleep") == "import asyncio\n" + code.replace(
        "time.sleep(0.5)", "await asyncio.sleep(0.5)"
    )
    ignored = fixed(tmp_path, code, "Ignore AG101")
    assert ignored.splitlines(keepends=True)[-1] == (
        '    label = "éé"; time.sleep(0.5)  # asyncguard: ignore[AG101]\n'
    )


def test_async_twin_method_is_the_preferred_fix(tmp_path):
    """'chain.invoke(x)' has an awaitable twin on the same object: 'await chain.ainvoke(x)' is
    offered first (a thread is the fallback); a streaming call's twin is an async iterator, not
    an awaitable, so it gets no twin fix."""
    code = """
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(model="gpt-4o-mini")
        chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | llm | StrOutputParser()


        async def answer(q: str) -> str:
            text = chain.invoke({"q": q}).strip()
            for chunk in llm.stream(q):
                print(chunk)
            return text
        """
    assert titles(tmp_path, code)[:2] == [
        "Use the async twin: await chain.ainvoke(...)",
        "Run chain.invoke in a thread: await asyncio.to_thread(chain.invoke, ...)",
    ]
    result = fixed(tmp_path, code, "Use the async twin")
    assert '    text = (await chain.ainvoke({"q": q})).strip()\n' in result
    assert "import asyncio" not in result
    assert not any(t.startswith("Use the async twin") for t in titles(tmp_path, code, which=1))
