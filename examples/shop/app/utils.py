"""Small helpers shared by the routers."""

from __future__ import annotations

import json
import re
import time
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Dict, Hashable, Optional, Tuple

from .settings import settings


@lru_cache(maxsize=1)
def load_country_codes() -> Dict[str, str]:
    """ISO 3166 code -> country name, read from the bundled JSON file once per process."""
    with open(settings.data_dir / "countries.json", encoding="utf-8") as fh:
        return json.load(fh)


def slugify(text: str) -> str:
    """'Blue Mug (XL)' -> 'blue-mug-xl'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def format_money(amount: Decimal, currency: str = "EUR") -> str:
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} {currency}"


class TTLCache:
    """A tiny in-process cache with per-entry expiry. Pure memory: ``get`` never blocks."""

    def __init__(self, ttl: float = 30.0, max_entries: int = 1024) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._data: Dict[Hashable, Tuple[float, Any]] = {}

    def get(self, key: Hashable, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None or entry[0] < time.monotonic():
            return default
        return entry[1]

    def set(self, key: Hashable, value: Any) -> None:
        if len(self._data) >= self._max_entries:
            self._data.pop(next(iter(self._data)))
        self._data[key] = (time.monotonic() + self._ttl, value)

    def invalidate(self, prefix: Optional[str] = None) -> None:
        if prefix is None:
            self._data.clear()
            return
        for key in [k for k in self._data if isinstance(k, str) and k.startswith(prefix)]:
            del self._data[key]


class PriceRules:
    """Discount rules applied to a cart. ``execute`` is plain arithmetic, no database."""

    def __init__(self, bulk_threshold: int = 10, bulk_discount: Decimal = Decimal("0.05")) -> None:
        self.bulk_threshold = bulk_threshold
        self.bulk_discount = bulk_discount

    def execute(self, lines: Dict[int, Tuple[Decimal, int]]) -> Decimal:
        """lines: item id -> (unit price, quantity). Returns the discounted total."""
        total = Decimal("0")
        for unit_price, quantity in lines.values():
            line_total = unit_price * quantity
            if quantity >= self.bulk_threshold:
                line_total -= line_total * self.bulk_discount
            total += line_total
        return total.quantize(Decimal("0.01"))
