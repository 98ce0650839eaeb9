"""Checkout, payment webhooks, invoices and shipment tracking."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import threading
from time import sleep as nap
from typing import List

import httpx
import requests
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ..db import Item, Order, User, get_db
from ..deps import get_current_user
from ..services.payments import PaymentError, PaymentGateway, fraud_score
from ..settings import settings
from ..utils import PriceRules

router = APIRouter(prefix="/orders", tags=["orders"])
logger = logging.getLogger(__name__)

# Guards stock decrements; shared by the event loop and the threadpool of this process.
_stock_lock = threading.Lock()
_price_rules = PriceRules()


class CartLine(BaseModel):
    item_id: int
    quantity: int = Field(gt=0, le=100)


class CheckoutRequest(BaseModel):
    lines: List[CartLine] = Field(min_length=1)
    card_token: str


def send_order_confirmation(email: str, order_id: int) -> None:
    """Background task: a plain function, so Starlette runs it in the threadpool."""
    requests.post(
        f"{settings.erp_api_url}/mail/order-confirmation",
        json={"to": email, "order": order_id},
        timeout=10,
    )


@router.post("/checkout", status_code=status.HTTP_201_CREATED)
async def checkout(
    payload: CheckoutRequest,
    background_tasks: BackgroundTasks,
    user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    quantities = {line.item_id: line.quantity for line in payload.lines}
    items = db.execute(select(Item).where(Item.id.in_(quantities))).scalars().all()  # expect: AG106
    if len(items) != len(quantities):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Unknown item in cart")
    total = _price_rules.execute({item.id: (item.price, quantities[item.id]) for item in items})
    if await fraud_score(user.id, total) > 0.8:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Order held for manual review")

    if not _stock_lock.acquire(timeout=5):  # expect: AG108
        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail="Inventory busy, retry")
    try:
        for item in items:
            if item.stock < quantities[item.id]:
                raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=f"{item.name} is out of stock")
            item.stock -= quantities[item.id]
        order = Order(user_id=user.id, total=total)
        db.add(order)
        db.commit()  # expect: AG106
    finally:
        _stock_lock.release()

    for attempt in range(3):
        try:
            charge = PaymentGateway.charge(order.id, total, payload.card_token)  # expect: AG102 transitive
            break
        except PaymentError as exc:
            logger.warning("charge for order %s failed (attempt %d): %s", order.id, attempt + 1, exc)
            if attempt == 2:
                raise HTTPException(status_code=status.HTTP_402_PAYMENT_REQUIRED, detail="Payment failed") from exc
            nap(0.5 * (attempt + 1))  # expect: AG101
    order.status = "paid"
    order.charge_id = charge["id"]
    db.commit()  # expect: AG106
    background_tasks.add_task(send_order_confirmation, user.email, order.id)
    return {"order_id": order.id, "total": str(total), "status": order.status}


@router.post("/webhooks/payment", status_code=status.HTTP_204_NO_CONTENT)
async def payment_webhook(request: Request, db: Session = Depends(get_db)):
    body = await request.body()
    signature = request.headers.get("X-Signature", "")
    expected = hmac.new(settings.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Bad signature")
    event = json.loads(body)
    order = db.get(Order, int(event["data"]["reference"]))  # expect: AG106
    if order is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    if event.get("type") == "charge.refunded":
        order.status = "refunded"
        db.commit()  # expect: AG106
    # Forward the event to the ERP over a keep-alive session.
    erp = requests.Session()
    erp.headers["Authorization"] = f"Bearer {settings.erp_api_key}"
    erp.post(f"{settings.erp_api_url}/orders/{order.id}/events", json=event, timeout=10)  # expect: AG102
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{order_id}/invoice")
async def download_invoice(order_id: int, user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    # Correct: the bound method and its arguments are handed to the threadpool.
    order = await run_in_threadpool(db.get, Order, order_id)
    if order is None or order.user_id != user.id:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found")
    # Wrong: requests.get(...) runs right here on the loop; to_thread only receives its result.
    response = await asyncio.to_thread(requests.get(f"{settings.invoice_service_url}/render/{order.id}", timeout=30))  # expect: AG201
    return Response(content=response.content, media_type="application/pdf")


@router.get("/{order_id}/invoice/status")
async def invoice_status(order_id: int, user: User = Depends(get_current_user)):
    # Correct: requests.get itself is passed to the worker thread, with its arguments.
    response = await asyncio.to_thread(requests.get, f"{settings.invoice_service_url}/status/{order_id}", timeout=5)
    return response.json()


@router.get("/{order_id}/tracking")
async def track_shipment(order_id: int, user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    order = await run_in_threadpool(db.get, Order, order_id)
    if order is None or order.user_id != user.id:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found")
    if order.tracking_number is None:
        return {"status": order.status, "events": []}
    with httpx.Client(base_url=settings.carrier_api_url, timeout=5) as carrier:
        response = carrier.get(f"/shipments/{order.tracking_number}")  # expect: AG102
    response.raise_for_status()
    return {"status": order.status, "events": response.json().get("events", [])}
