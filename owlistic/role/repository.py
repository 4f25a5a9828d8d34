"""Every query on role rows (shares) of the sharing domain."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import Note, Notebook, Role, User


async def visible(
    session: AsyncSession, user_id: uuid.UUID, filters: dict[str, str | uuid.UUID | None]
) -> list[Role]:
    """Live roles the user holds, or that others hold on what the user owns."""
    owned = or_(
        Role.resource_id.in_(select(Notebook.id).where(Notebook.user_id == user_id)),
        Role.resource_id.in_(select(Note.id).where(Note.user_id == user_id)),
    )
    query = select(Role).where(Role.live(), or_(Role.user_id == user_id, owned))
    for column, value in filters.items():
        if value:
            query = query.where(getattr(Role, column) == value)
    return list(await session.scalars(query.order_by(Role.created_at)))


async def live_of(
    session: AsyncSession, user_id: uuid.UUID, resource_type: str, resource_id: uuid.UUID
) -> Role | None:
    return await session.scalar(
        select(Role).where(
            Role.user_id == user_id,
            Role.resource_id == resource_id,
            Role.resource_type == resource_type,
            Role.live(),
        )
    )


async def live_by_id(session: AsyncSession, role_id: uuid.UUID) -> Role | None:
    return await session.scalar(select(Role).where(Role.id == role_id, Role.live()))


async def notebook_shares(
    session: AsyncSession, notebook_id: uuid.UUID, *, except_user: uuid.UUID
) -> list[tuple[User, Role]]:
    rows = await session.execute(
        select(User, Role)
        .join(Role, Role.user_id == User.id)
        .where(
            Role.resource_id == notebook_id,
            Role.resource_type == "notebook",
            Role.live(),
            Role.user_id != except_user,
            User.live(),
        )
        .order_by(Role.created_at)
    )
    return [(u, r) for u, r in rows]
