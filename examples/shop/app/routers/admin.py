"""Back-office endpoints: sales reports, maintenance and logs. Admins only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import FileResponse, PlainTextResponse
from sqlalchemy import delete
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ..db import Order, User, get_db
from ..deps import rate_limit, require_admin
from ..services import reports
from ..settings import settings

router = APIRouter(prefix="/admin", tags=["admin"])


def purge_pending(db: Session, older_than_days: int) -> int:
    cutoff = datetime.utcnow() - timedelta(days=older_than_days)
    result = db.execute(delete(Order).where(Order.status == "pending", Order.created_at < cutoff))
    db.commit()
    return result.rowcount


@router.post("/maintenance/purge-pending-orders")
async def purge_pending_orders(
    older_than_days: int = Query(7, ge=1),
    admin: User = Depends(require_admin),
    db: Session = Depends(get_db),
):
    """Delete orders that were never paid. With SHOP_DEBUG=1 the operator confirms on the console."""
    if settings.debug:
        answer = input(f"{admin.email} asks to purge pending orders older than {older_than_days} days [y/N] ")  # expect: AG109
        if answer.strip().lower() != "y":
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Cancelled on the server console")
    deleted = await run_in_threadpool(purge_pending, db, older_than_days)
    return {"deleted": deleted}


@router.get("/reports/sales/{day}", dependencies=[Depends(require_admin)])
async def sales_report(day: date, db: Session = Depends(get_db)):
    """Build the day's CSV in a worker thread, then stream it."""
    path = await run_in_threadpool(reports.generate_sales_csv, db, day)
    return FileResponse(path, media_type="text/csv", filename=path.name)


@router.get("/reports/sales/{day}/totals", dependencies=[Depends(require_admin)])
def sales_totals(day: date, db: Session = Depends(get_db)):
    """A plain ``def`` route: the blocking query runs in FastAPI's threadpool."""
    return reports.daily_totals(db, day)


@router.get("/logs/access", response_class=PlainTextResponse)
async def tail_access_log(lines: int = Query(100, ge=1, le=1000), admin: User = Depends(require_admin)):
    await rate_limit(f"access-log:{admin.id}", limit=30)
    with open(settings.access_log, encoding="utf-8") as fh:  # expect: AG104
        content = fh.read()  # expect: AG104
    return "\n".join(content.splitlines()[-lines:])
