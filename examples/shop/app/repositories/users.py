"""Data access for users and their orders."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Order, User


class UserRepository:
    """Wraps the request's Session; every method runs SQL synchronously."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_id(self, user_id: int) -> Optional[User]:
        return self.session.execute(select(User).where(User.id == user_id)).scalar_one_or_none()

    def get_by_email(self, email: str) -> Optional[User]:
        return self.session.execute(select(User).where(User.email == email.lower())).scalar_one_or_none()

    def recent_orders(self, user_id: int, limit: int = 5) -> List[Order]:
        stmt = select(Order).where(Order.user_id == user_id).order_by(Order.created_at.desc()).limit(limit)
        return list(self.session.execute(stmt).scalars())

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.commit()
        return user
