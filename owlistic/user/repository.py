"""Account queries (who is registered, under which name); identity lookups are in
``auth/repository.py``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.time import utcnow
from owlistic.models import Note, Notebook, Role, User


async def username_taken(
    session: AsyncSession, username: str, *, except_id: uuid.UUID | None = None
) -> bool:
    query = select(User.id).where(User.username == username, User.live())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return await session.scalar(query.limit(1)) is not None


async def email_taken(
    session: AsyncSession, email: str, *, except_id: uuid.UUID | None = None
) -> bool:
    query = select(User.id).where(User.email == email.lower(), User.live())
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
    query = select(User).where(User.live()).order_by(User.created_at)
    if email:
        query = query.where(User.email == email.lower())
    if username:
        query = query.where(User.username == username)
    if only is not None:
        query = query.where(User.id == only)
    return list(await session.scalars(query))


async def promote_self_role(session: AsyncSession, user_id: uuid.UUID, role: str) -> None:
    """Only one live role per (user, resource, type) may exist, so the self role that
    registration created is changed rather than a second row added."""
    await session.execute(
        update(Role)
        .where(
            Role.user_id == user_id,
            Role.resource_id == user_id,
            Role.resource_type == "user",
            Role.live(),
        )
        .values(role=role, updated_at=utcnow())
    )


async def end_roles_of(session: AsyncSession, user_id: uuid.UUID, *, at: datetime) -> None:
    """Shares to and from a deleted account end with it: its notes become unreachable."""
    owned = or_(
        Role.resource_id.in_(select(Notebook.id).where(Notebook.user_id == user_id)),
        Role.resource_id.in_(select(Note.id).where(Note.user_id == user_id)),
    )
    await session.execute(
        update(Role).where(Role.live(), or_(Role.user_id == user_id, owned)).values(deleted_at=at)
    )
