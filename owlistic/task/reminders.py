"""Pending reminders: one row per task (at most), replaced whenever its schedule changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.time import utcnow
from owlistic.models import Reminder, Task
from owlistic.task import repository, schedule

# The earliest reminder time a unit of work queued: ``session.info[QUEUED]``. After the
# commit the scheduler of this process hears of it, so it need not poll for new rows.
QUEUED = "owlistic.task.reminder_queued"


async def reschedule(session: AsyncSession, task: Task, *, at: datetime | None = None) -> None:
    """Make the task's pending reminder match its settings (or ``at``, a snooze).

    A time that already has a sent reminder is not queued again, and a computed time
    further in the past than ``PAST_GRACE`` is not queued at all (a reminder fires late only
    when it was pending while the server was down)."""
    kind = "snooze" if at is not None else "due"
    if at is None and not task.is_completed and task.deleted_at is None:
        at = schedule.reminder_time(task.due_at, task.remind_at, task.remind_before_minutes)
    await repository.drop_pending_reminder(session, task.id)
    if at is None or (kind == "due" and at <= utcnow() - schedule.PAST_GRACE):
        return
    if await repository.reminder_sent(session, task.id, at):
        return
    session.add(Reminder(task_id=task.id, user_id=task.user_id, fire_at=at, kind=kind))
    await session.flush()
    queued: datetime | None = session.info.get(QUEUED)
    session.info[QUEUED] = at if queued is None else min(queued, at)
