"""Every query of the calendar domain."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import CalendarFeed, Task
from owlistic.task.repository import readable_filter


async def replace(session: AsyncSession, user_id: uuid.UUID, token_hash: str) -> None:
    await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    session.add(CalendarFeed(user_id=user_id, token_hash=token_hash))
    await session.flush()


async def remove(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the user had a feed."""
    result = await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


async def by_token_hash(session: AsyncSession, token_hash: str) -> CalendarFeed | None:
    return await session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash))


async def version(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, Any]:
    """How many tasks the feed could show and when the latest of them changed: one
    aggregate, enough to tell whether anything in the feed changed."""
    count, latest = (
        await session.execute(
            select(func.count(), func.max(Task.updated_at)).where(
                Task.live(), readable_filter(user_id)
            )
        )
    ).one()
    return int(count), latest


async def open_tasks(session: AsyncSession, user_id: uuid.UUID, limit: int) -> list[Task]:
    """The feed's tasks: open ones the user may read, soonest first, undated last."""
    return list(
        await session.scalars(
            select(Task)
            .where(Task.live(), Task.is_completed.is_(False), readable_filter(user_id))
            .order_by(Task.due_at.is_(None), Task.due_at, Task.id)
            .limit(limit)
        )
    )
