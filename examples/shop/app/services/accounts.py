"""Account management: registration and profiles."""

from __future__ import annotations

import hashlib
import os
import secrets
from typing import Any, Dict

from sqlalchemy.orm import Session

from ..db import User
from ..repositories.users import UserRepository


class AccountError(Exception):
    pass


def hash_password(password: str, salt: bytes = b"") -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000)
    return f"{salt.hex()}${digest.hex()}"


def register_user(db: Session, email: str, full_name: str, password: str) -> User:
    """Create a user with a fresh API token; raises AccountError when the email is taken."""
    repo = UserRepository(db)
    if repo.get_by_email(email) is not None:
        raise AccountError(f"{email} is already registered")
    user = User(
        email=email.lower(),
        full_name=full_name,
        hashed_password=hash_password(password),
        api_token=secrets.token_hex(32),
    )
    return repo.add(user)


def get_profile(db: Session, user_id: int) -> Dict[str, Any]:
    """The profile page: the user plus their latest orders."""
    repo = UserRepository(db)
    user = repo.get_by_id(user_id)
    if user is None:
        raise AccountError(f"user {user_id} not found")
    orders = repo.recent_orders(user_id)
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "country": user.country,
        "recent_orders": [{"id": o.id, "total": str(o.total), "status": o.status} for o in orders],
    }
