"""Pending reminders: one row per task (at most), replaced whenever its schedule changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.time import utcnow
from owlistic.models import Reminder, Task
from owlistic.task import schedule


async def reschedule(session: AsyncSession, task: Task, *, at: datetime | None = None) -> None:
    """Make the task's pending reminder match its settings (or ``at``, a snooze).

    A time that already has a sent reminder is not queued again, and a computed time
    further in the past than ``PAST_GRACE`` is not queued at all (a reminder fires late only
    when it was pending while the server was down)."""
    kind = "snooze" if at is not None else "due"
    if at is None and not task.is_completed and task.deleted_at is None:
        at = schedule.reminder_time(task.due_at, task.remind_at, task.remind_before_minutes)
    await session.execute(
        delete(Reminder).where(Reminder.task_id == task.id, Reminder.status == "pending")
    )
    if at is None or (kind == "due" and at <= utcnow() - schedule.PAST_GRACE):
        return
    already_sent = await session.scalar(
        select(
            exists().where(
                Reminder.task_id == task.id, Reminder.fire_at == at, Reminder.status == "sent"
            )
        )
    )
    if already_sent:
        return
    session.add(Reminder(task_id=task.id, user_id=task.user_id, fire_at=at, kind=kind))
    await session.flush()
