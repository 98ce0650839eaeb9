"""Sales reports. Blocking (SQL + CSV files): the admin routes run them in the threadpool."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import Order
from ..settings import settings


def _day_bounds(day: date):
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def daily_totals(db: Session, day: date) -> dict:
    start, end = _day_bounds(day)
    stmt = select(func.count(Order.id), func.coalesce(func.sum(Order.total), 0)).where(
        Order.created_at >= start, Order.created_at < end, Order.status == "paid"
    )
    count, revenue = db.execute(stmt).one()
    return {"day": day.isoformat(), "orders": count, "revenue": str(revenue)}


def generate_sales_csv(db: Session, day: date) -> Path:
    """Write every paid order of the day to reports/sales-YYYY-MM-DD.csv and return the path."""
    start, end = _day_bounds(day)
    rows = db.execute(
        select(Order.id, Order.user_id, Order.total, Order.created_at).where(
            Order.created_at >= start, Order.created_at < end, Order.status == "paid"
        )
    ).all()
    target = settings.upload_dir / "reports" / f"sales-{day.isoformat()}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["order_id", "user_id", "total", "created_at"])
        writer.writerows(rows)
    return target
