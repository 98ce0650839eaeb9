"""Payment provider client. Synchronous (requests): call it from sync code or a worker thread."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import httpx
import requests as rq

from ..settings import settings


class PaymentError(Exception):
    """The provider declined the charge or could not be reached."""


def _headers() -> Dict[str, str]:
    return {"Authorization": f"Bearer {settings.payment_api_key}"}


class PaymentGateway:
    """Thin wrapper around the provider's REST API."""

    @staticmethod
    def charge(order_id: int, amount: Decimal, card_token: str) -> Dict[str, Any]:
        try:
            response = rq.post(
                f"{settings.payment_api_url}/charges",
                json={"amount": str(amount), "currency": "EUR", "source": card_token, "reference": order_id},
                headers=_headers(),
                timeout=10,
            )
        except rq.RequestException as exc:
            raise PaymentError(f"payment provider unreachable: {exc}") from exc
        if response.status_code != 201:
            raise PaymentError(response.json().get("error", "charge declined"))
        return response.json()

    @staticmethod
    def refund(charge_id: str) -> Dict[str, Any]:
        response = rq.post(f"{settings.payment_api_url}/charges/{charge_id}/refunds", headers=_headers(), timeout=10)
        response.raise_for_status()
        return response.json()


async def fraud_score(user_id: int, amount: Decimal) -> float:
    """Risk score from the fraud service (0 = safe, 1 = fraud). Async: safe to await in routes."""
    async with httpx.AsyncClient(base_url=settings.payment_api_url, timeout=5) as client:
        response = await client.post("/risk", json={"customer": user_id, "amount": str(amount)})
        response.raise_for_status()
        return float(response.json().get("score", 0.0))
