"""Every query of the reminder scheduler."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.time import utcnow
from owlistic.models import PushSubscription, Reminder, Task, User

# Written as a literal, not a parameter: a query planner can use the partial index
# ``ix_reminders_pending`` only when it sees its very condition (PostgreSQL's generic plans
# for a prepared statement do not look at parameter values).
PENDING = Reminder.status == literal_column("'pending'")


async def nearest_pending(session: AsyncSession) -> datetime | None:
    nearest = await session.scalar(select(func.min(Reminder.fire_at)).where(PENDING))
    if nearest is not None and nearest.tzinfo is None:  # SQLite's aggregate skips the type
        nearest = datetime.fromisoformat(str(nearest)).replace(tzinfo=utcnow().tzinfo)
    return nearest


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool
) -> list[tuple[Reminder, Task, str | None, bool, bool]]:
    """Pending reminders due by ``now``, oldest first, each with its task, the user's
    e-mail settings and whether the user has a push subscription; on PostgreSQL locked for
    this transaction, skipping rows another instance holds (so each is fired by one
    instance only)."""
    has_push = exists().where(PushSubscription.user_id == Reminder.user_id)
    query = (
        select(Reminder, Task, User.email, User.email_reminders, has_push)
        .join(Task, Task.id == Reminder.task_id)
        .join(User, User.id == Reminder.user_id)
        .where(PENDING, Reminder.fire_at <= now)
        .order_by(Reminder.fire_at)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=Reminder)
    return [(r, t, e, w, bool(p)) for r, t, e, w, p in (await session.execute(query)).all()]


async def record_channels(
    session: AsyncSession, reminder_id: uuid.UUID, channels: dict[str, Any]
) -> None:
    await session.execute(
        update(Reminder).where(Reminder.id == reminder_id).values(channels=channels)
    )
