"""Shared dependencies: Redis clients, the current user and the admin guard."""

from __future__ import annotations

import redis
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from redis import asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import User, get_db
from .settings import settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/users/token")

# Synchronous client: every command is a network round trip on the calling thread.
redis_client = redis.Redis(host=settings.redis_host, port=settings.redis_port, decode_responses=True)
# asyncio client: commands are awaited and leave the event loop free.
async_redis = aioredis.Redis(host=settings.redis_host, port=settings.redis_port, decode_responses=True)


async def get_current_user(token: str = Depends(oauth2_scheme), db: Session = Depends(get_db)) -> User:
    """Resolve the bearer token to a user, or answer 401."""
    user = db.execute(select(User).where(User.api_token == token)).scalar_one_or_none()  # expect: AG106
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


async def require_admin(user: User = Depends(get_current_user)) -> User:
    if not user.is_admin:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admins only")
    return user


async def rate_limit(key: str, limit: int, window_seconds: int = 60) -> None:
    """Fixed-window rate limit kept in Redis (asyncio client, so nothing blocks)."""
    bucket = f"ratelimit:{key}"
    hits = await async_redis.incr(bucket)
    if hits == 1:
        await async_redis.expire(bucket, window_seconds)
    if hits > limit:
        raise HTTPException(status_code=status.HTTP_429_TOO_MANY_REQUESTS, detail="Slow down")
