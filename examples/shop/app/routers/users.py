"""User accounts: registration, profile, shipping address and e-mail verification."""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from email.message import EmailMessage

import httpx
import requests
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ..db import User, get_db
from ..deps import get_current_user, rate_limit
from ..services import accounts
from ..settings import settings
from ..utils import load_country_codes

router = APIRouter(prefix="/users", tags=["users"])


class RegisterIn(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=255)
    full_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=8, max_length=128)
    captcha_token: str


class RegisterOut(BaseModel):
    id: int
    email: str
    api_token: str


class AddressIn(BaseModel):
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2 code")


def send_welcome_email(to: str, full_name: str) -> None:
    """Runs after the response as a background task; a plain function goes to the threadpool."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = "Welcome to the shop"
    message.set_content(f"Hi {full_name},\n\nthanks for signing up!\n")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.starttls()
        smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


@router.post("", response_model=RegisterOut, status_code=status.HTTP_201_CREATED)
async def register(payload: RegisterIn, background_tasks: BackgroundTasks, db: Session = Depends(get_db)):
    async with httpx.AsyncClient(timeout=5) as client:
        check = await client.post(settings.captcha_verify_url, data={"token": payload.captcha_token})
    if check.status_code != 200 or not check.json().get("success"):
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Captcha check failed")
    try:
        user = accounts.register_user(db, payload.email, payload.full_name, payload.password)  # expect: AG106 transitive
    except accounts.AccountError as exc:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    background_tasks.add_task(send_welcome_email, user.email, user.full_name)
    return RegisterOut(id=user.id, email=user.email, api_token=user.api_token or "")


@router.get("/me/profile")
async def my_profile(user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    # route -> accounts.get_profile -> UserRepository.get_by_id -> self.session.execute
    try:
        profile = accounts.get_profile(db, user.id)  # expect: AG106 transitive
    except accounts.AccountError as exc:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    async with httpx.AsyncClient(base_url=settings.loyalty_api_url, timeout=3) as client:
        response = await client.get(f"/members/{user.id}")
    profile["loyalty_points"] = response.json().get("points", 0) if response.status_code == 200 else None
    return profile


@router.put("/me/address")
async def update_address(address: AddressIn, user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    countries = load_country_codes()  # expect: AG104 transitive info
    country = address.country.upper()
    if country not in countries:
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, detail=f"We do not ship to {country}")
    async with httpx.AsyncClient(timeout=5) as client:
        geo = await client.get(settings.geocoder_url, params={"q": f"{address.street}, {address.city}", "country": country})
    if geo.status_code != 200 or not geo.json():
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, detail="Address not found")
    user.street, user.city, user.country = address.street, address.city, country
    db.commit()  # expect: AG106
    return {"street": user.street, "city": user.city, "country": countries[country]}


@router.post("/me/verify-email", status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(request: Request, user: User = Depends(get_current_user)):
    await rate_limit(f"verify-email:{user.id}", limit=3, window_seconds=3600)
    if user.email_verified:
        return {"detail": "E-mail already verified"}
    token = secrets.token_urlsafe(24)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = user.email
    message["Subject"] = "Confirm your e-mail address"
    message.set_content(f"Open {request.base_url}users/verify?token={token} to confirm your address.")
    # Straight to the local relay (no TLS, no login) ... still a network round trip on the loop.
    with smtplib.SMTP(settings.smtp_host, 25, timeout=10) as smtp:  # expect: AG105
        smtp.send_message(message)  # expect: AG105
    return {"detail": "Verification e-mail sent"}


@router.get("/{user_id}/avatar")
def avatar(user_id: int, db: Session = Depends(get_db)):
    """A plain ``def`` route: FastAPI runs it in its threadpool, so blocking calls are fine here."""
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    digest = hashlib.md5(user.email.strip().lower().encode()).hexdigest()
    response = requests.head(f"https://www.gravatar.com/avatar/{digest}?d=404", timeout=3)
    return {"url": f"https://www.gravatar.com/avatar/{digest}" if response.status_code == 200 else None}
