"""Generate a realistic ~2,000-line FastAPI module for the editor benchmark.

Routes, dependencies and helpers in the shape of a real service: SQLAlchemy sessions from a
dependency, requests calls, file reads, redis, awaited httpx calls, offloaded calls. Roughly a
third of the routes block.
"""

from __future__ import annotations

import random

HEADER = '''"""Orders service: routes, helpers and background jobs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Annotated

import httpx
import redis
import requests
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
router = APIRouter(prefix="/orders")
SessionLocal = sessionmaker()
cache = redis.Redis()
DATA = Path(__file__).parent / "data"


def get_db():
    with SessionLocal() as db:
        yield db


DbDep = Annotated[Session, Depends(get_db)]
'''

BLOCKS = [
    """

def load_rates_{n}() -> dict:
    with open(DATA / "rates_{n}.json") as handle:
        return json.load(handle)


@router.get("/rates/{n}")
async def rates_{n}(request: Request):
    body = await request.body()
    rates = load_rates_{n}()
    log.info("rates %s %s", len(body), len(rates))
    return rates
""",
    """

@router.get("/{{order_id}}/status{n}")
async def order_status_{n}(order_id: int, db: DbDep):
    row = db.execute(text("select status from orders where id = :id"), {{"id": order_id}}).first()
    if row is None:
        raise HTTPException(status_code=404, detail="unknown order")
    cached = cache.get(f"order:{{order_id}}")
    return {{"status": row.status, "cached": cached}}
""",
    """

@router.post("/{{order_id}}/notify{n}")
async def notify_{n}(order_id: int, tasks: BackgroundTasks):
    async with httpx.AsyncClient() as client:
        response = await client.post("https://hooks.example.com/orders", json={{"id": order_id}})
    tasks.add_task(requests.post, "https://audit.example.com", json={{"id": order_id}})
    payload = {{"id": order_id, "code": response.status_code}}
    return payload
""",
    """

def _price_{n}(sku: str) -> float:
    response = requests.get(f"https://pricing.example.com/{{sku}}", timeout=5)
    return float(response.json()["price"])


@router.get("/quote{n}/{{sku}}")
async def quote_{n}(sku: str, request: Request):
    await request.body()
    price = _price_{n}(sku)
    discounted = await asyncio.to_thread(_price_{n}, sku)
    return {{"price": price, "discounted": discounted}}
""",
    """

@router.get("/report{n}")
async def report_{n}():
    started = time.time()
    data = {{"id": {n}, "at": started}}
    text_value = json.dumps(data)
    await asyncio.sleep(0)
    return {{"report": text_value, "took": time.time() - started, "env": os.getenv("ENV", "dev")}}
""",
]


def generate(lines: int = 2000, seed: int = 7) -> str:
    rng = random.Random(seed)
    out = [HEADER]
    n = 0
    while sum(part.count("\n") for part in out) < lines:
        out.append(rng.choice(BLOCKS).format(n=n))
        n += 1
    return "".join(out)


if __name__ == "__main__":
    text = generate()
    print(text)
