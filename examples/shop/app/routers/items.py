"""Catalog: browse items, convert prices, live stock levels over a websocket."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated, List, Optional

import httpx
import requests as rq
from fastapi import APIRouter, Depends, HTTPException, Query, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ..db import Item, get_db
from ..deps import redis_client, require_admin
from ..settings import settings
from ..utils import TTLCache, slugify

router = APIRouter(prefix="/items", tags=["items"])

_listing_cache = TTLCache(ttl=15)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    description: str
    price: Decimal
    stock: int


class ItemCreate(BaseModel):
    sku: str = Field(min_length=3, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    price: Decimal = Field(gt=0)
    stock: int = Field(default=0, ge=0)


class PriceOut(BaseModel):
    item_id: int
    currency: str
    price: Decimal


def _load_item(db: Session, item_id: int) -> Optional[Item]:
    return db.get(Item, item_id)


@router.get("", response_model=List[ItemOut])
async def list_items(  # expect: AG301
    db: Session = Depends(get_db),
    q: Optional[str] = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
):
    """Active items, optionally filtered by name.

    Nothing in here is awaited, so ``async def`` only moves the query onto the event loop:
    a plain ``def`` would run it in the threadpool instead.
    """
    cache_key = ("items", q, limit, offset)
    cached = _listing_cache.get(cache_key)
    if cached is not None:
        return cached
    pattern = f"%{q}%" if q else "%"
    items = db.query(Item).filter(Item.is_active.is_(True), Item.name.ilike(pattern)).offset(offset).limit(limit).all()  # expect: AG106
    result = [ItemOut.model_validate(item) for item in items]
    _listing_cache.set(cache_key, result)
    return result


@router.get("/{item_id}", response_model=ItemOut)
async def get_item(item_id: int, db: Annotated[Session, Depends(get_db)]):
    item = db.execute(select(Item).where(Item.id == item_id)).scalar_one_or_none()  # expect: AG106
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    out = ItemOut.model_validate(item)
    # Live stock from the warehouse service, awaited: the loop keeps serving other requests.
    async with httpx.AsyncClient(base_url=settings.inventory_api_url, timeout=5) as client:
        response = await client.get(f"/stock/{item.sku}")
    if response.status_code == 200:
        out.stock = response.json().get("available", out.stock)
    return out


@router.get("/{item_id}/price", response_model=PriceOut)
async def get_item_price(
    item_id: int,
    currency: str = Query(..., min_length=3, max_length=3),
    db: Session = Depends(get_db),
):
    """The item's price converted with today's exchange rate."""
    item = await run_in_threadpool(_load_item, db, item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    symbol = currency.upper()
    response = rq.get(f"{settings.fx_api_url}/latest", params={"base": "EUR", "symbols": symbol}, timeout=5)  # expect: AG102
    rate = response.json().get("rates", {}).get(symbol)
    if rate is None:
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, detail=f"Unknown currency {symbol}")
    price = (item.price * Decimal(str(rate))).quantize(Decimal("0.01"))
    return PriceOut(item_id=item.id, currency=symbol, price=price)


@router.post("", response_model=ItemOut, status_code=status.HTTP_201_CREATED, dependencies=[Depends(require_admin)])
async def create_item(payload: ItemCreate, db: Session = Depends(get_db)):
    item = Item(**payload.model_dump())
    db.add(item)
    db.commit()  # expect: AG106
    _listing_cache.invalidate()
    # Re-index in the search service. The callable and its arguments go to a worker thread.
    document = {"id": item.id, "name": item.name, "slug": slugify(item.name)}
    await asyncio.to_thread(rq.post, settings.search_index_url, json=document, timeout=5)
    return item


@router.get("/{item_id}/reviews")
def list_reviews(item_id: int, page: int = Query(1, ge=1)):
    """Reviews live in another service. A plain ``def`` route: FastAPI runs it in its threadpool."""
    response = rq.get(f"{settings.reviews_api_url}/items/{item_id}/reviews", params={"page": page}, timeout=5)
    if response.status_code == 404:
        return []
    response.raise_for_status()
    return response.json()


@router.websocket("/ws/stock")
async def stock_updates(websocket: WebSocket):
    """Clients send SKUs and get back the current stock level for each."""
    await websocket.accept()
    try:
        while True:
            sku = await websocket.receive_text()
            level = redis_client.get(f"stock:{sku}")  # expect: AG106
            await websocket.send_json({"sku": sku, "stock": int(level or 0)})
    except WebSocketDisconnect:
        return
