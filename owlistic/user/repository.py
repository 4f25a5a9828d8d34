"""Account queries (who is registered, under which name); identity lookups are in
``auth/repository.py``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import User


async def username_taken(
    session: AsyncSession, username: str, *, except_id: uuid.UUID | None = None
) -> bool:
    query = select(User.id).where(User.username == username, User.deleted_at.is_(None))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return await session.scalar(query.limit(1)) is not None


async def email_taken(
    session: AsyncSession, email: str, *, except_id: uuid.UUID | None = None
) -> bool:
    query = select(User.id).where(User.email == email.lower(), User.deleted_at.is_(None))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return await session.scalar(query.limit(1)) is not None


async def list_live(
    session: AsyncSession,
    *,
    email: str | None,
    username: str | None,
    only: uuid.UUID | None = None,
) -> list[User]:
    query = select(User).where(User.deleted_at.is_(None)).order_by(User.created_at)
    if email:
        query = query.where(User.email == email.lower())
    if username:
        query = query.where(User.username == username)
    if only is not None:
        query = query.where(User.id == only)
    return list(await session.scalars(query))
