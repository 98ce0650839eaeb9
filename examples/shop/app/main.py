"""Application entry point: the app, its routers, middleware, lifespan and error handlers.

Run with ``uvicorn app.main:app --reload`` from examples/shop.
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .db import init_db
from .deps import redis_client
from .routers import admin, files, items, orders, users
from .services.accounts import AccountError
from .services.payments import PaymentError
from .settings import settings

logger = logging.getLogger("shop")


@asynccontextmanager
async def lifespan(app: FastAPI):
    await run_in_threadpool(init_db)  # CREATE TABLE runs in a worker thread
    redis_client.ping()  # expect: AG106
    logger.info("shop started (debug=%s)", settings.debug)
    yield
    logger.info("shop stopped")


app = FastAPI(title="Shop API", version="1.0.0", lifespan=lifespan)
app.include_router(items.router)
app.include_router(users.router)
app.include_router(orders.router)
app.include_router(files.router)
app.include_router(admin.router)


@app.middleware("http")
async def access_log(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    line = f"{datetime.now(timezone.utc).isoformat()} {request.method} {request.url.path} {response.status_code} {elapsed_ms:.1f}ms\n"
    with open(settings.access_log, "a", encoding="utf-8") as log:  # expect: AG104
        log.write(line)  # expect: AG104
    response.headers["X-Response-Time"] = f"{elapsed_ms:.1f}ms"
    return response


@app.exception_handler(PaymentError)
async def payment_error_handler(request: Request, exc: PaymentError) -> JSONResponse:
    logger.warning("payment error on %s: %s", request.url.path, exc)
    return JSONResponse(status_code=status.HTTP_402_PAYMENT_REQUIRED, content={"detail": str(exc)})


@app.exception_handler(AccountError)
async def account_error_handler(request: Request, exc: AccountError) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_400_BAD_REQUEST, content={"detail": str(exc)})


@app.get("/health")
async def health() -> dict:
    """Liveness probe: no I/O at all, so ``async def`` without an await is fine (no AG301)."""
    return {"status": "ok"}
