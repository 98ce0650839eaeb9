"""Attachments: uploads to local disk and S3, thumbnails, CSV imports and legal pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from uuid import uuid4

import boto3
import httpx
from fastapi import APIRouter, Depends, File, HTTPException, UploadFile, status
from fastapi.responses import FileResponse, PlainTextResponse

from ..db import User
from ..deps import async_redis, get_current_user, require_admin
from ..settings import settings

router = APIRouter(prefix="/files", tags=["files"])

ALLOWED_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}
LEGAL_DOCUMENTS = {"terms": "terms.md"}


@router.post("/uploads", status_code=status.HTTP_201_CREATED)
async def upload_attachment(upload: UploadFile = File(...), user: User = Depends(get_current_user)):
    """Keep the upload on local disk and mirror it to S3."""
    suffix = ALLOWED_TYPES.get(upload.content_type or "")
    if suffix is None:
        raise HTTPException(status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail="PNG, JPEG or PDF only")
    if not await upload.read(1):
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Empty file")
    await upload.seek(0)
    target = settings.upload_dir / str(user.id) / f"{uuid4().hex}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)  # expect: AG104 info
    with open(target, "wb") as out:  # expect: AG104
        shutil.copyfileobj(upload.file, out)  # expect: AG104
    body = target.read_bytes()  # expect: AG104
    key = f"uploads/{user.id}/{target.name}"
    boto3.client("s3").put_object(Bucket=settings.s3_bucket, Key=key, Body=body, ContentType=upload.content_type)  # expect: AG107
    return {"name": target.name, "key": key, "size": len(body)}


@router.get("/uploads/{name}")
def download_attachment(name: str, user: User = Depends(get_current_user)):
    """A plain ``def`` route: the existence check runs in the threadpool."""
    path = settings.upload_dir / str(user.id) / Path(name).name
    if not path.is_file():
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="No such upload")
    return FileResponse(path)


@router.post("/uploads/{name}/thumbnail")
async def make_thumbnail(name: str, user: User = Depends(get_current_user)):
    source = settings.upload_dir / str(user.id) / Path(name).name
    if not os.path.exists(source):  # expect: AG104 info
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="No such upload")
    thumbnail = source.with_name(f"{source.stem}.thumb.png")
    result = subprocess.run(["convert", str(source), "-thumbnail", "256x256", str(thumbnail)], capture_output=True, timeout=30)  # expect: AG103
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace")[:200]
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, detail=detail)
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(settings.cdn_purge_url, json={"paths": [f"/thumbs/{user.id}/{thumbnail.name}"]})
    return {"thumbnail": thumbnail.name}


@router.post("/imports/items", status_code=status.HTTP_202_ACCEPTED, dependencies=[Depends(require_admin)])
async def import_items_csv(upload: UploadFile = File(...)):
    """Stage a catalog CSV for the nightly import job and keep a copy in the archive."""
    contents = await upload.read()
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as staged:  # expect: AG104
        staged.write(contents)  # expect: AG104
    archive = settings.upload_dir / "imports" / f"{uuid4().hex}.csv"
    shutil.copy(staged.name, archive)  # expect: AG104
    return {"staged": Path(staged.name).name, "archived": archive.name, "bytes": len(contents)}


@router.get("/legal/{document}", response_class=PlainTextResponse)
async def legal_document(document: str):
    filename = LEGAL_DOCUMENTS.get(document)
    if filename is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Unknown document")
    body = (settings.data_dir / filename).read_text(encoding="utf-8")  # expect: AG104
    banner = await async_redis.get("site:banner")
    if banner is None:
        # Fallback only: one short line on local disk, and this page is cached by the CDN.
        banner = (settings.data_dir / "banner.txt").read_text(encoding="utf-8")  # asyncguard: ignore[AG104]
    return f"{banner}\n\n{body}"
