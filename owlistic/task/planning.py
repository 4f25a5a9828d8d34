"""Applying due time, reminder and recurrence changes to a task inside the writing transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.errors import Unprocessable
from owlistic.kit.time import utcnow
from owlistic.models import Task, TaskCompletion
from owlistic.task import reminders, schedule
from owlistic.task.schemas import ScheduleInput

SCHEDULE_FIELDS = frozenset(
    {"due_at", "due_date", "time_zone", "remind_at", "remind_before_minutes", "recurrence"}
)


def apply_schedule(task: Task, body: ScheduleInput, fields: set[str]) -> None:
    """Sets the schedule keys present in ``body``; Unprocessable for a combination that
    cannot work (a reminder in the past, repetition without a due time)."""
    if "time_zone" in fields and body.time_zone:
        if task.due_at is not None and task.due_all_day:
            # An all-day task stays on its calendar day in the new zone.
            day = schedule.local_wall(task.due_at, schedule.zone(task.time_zone))
            task.due_at = schedule.local_to_utc(day, schedule.zone(body.time_zone))
        task.time_zone = body.time_zone
    due = body.due_at if "due_at" in fields else getattr(body, "due_date", None)
    if "due_at" in fields or "due_date" in fields:
        if due:
            task.due_at, task.due_all_day = schedule.parse_due(due, schedule.zone(task.time_zone))
        else:
            task.due_at, task.due_all_day = None, False
        task.series_start = task.due_at
    if "recurrence" in fields:
        task.recurrence = body.recurrence
        task.series_start = task.due_at
    if task.recurrence and task.due_at is None:
        raise Unprocessable("recurrence needs a due date (due_at)")
    if "remind_at" in fields:
        task.remind_at = body.remind_at
        if body.remind_at is not None:
            task.remind_before_minutes = None
    if "remind_before_minutes" in fields:
        task.remind_before_minutes = body.remind_before_minutes
        if body.remind_before_minutes is not None:
            if task.due_at is None:
                raise Unprocessable("remind_before_minutes needs a due date (due_at)")
            task.remind_at = None
    if fields & {"remind_at", "remind_before_minutes"}:
        fire = schedule.reminder_time(task.due_at, task.remind_at, task.remind_before_minutes)
        if fire is not None and fire < utcnow() - schedule.PAST_GRACE:
            raise Unprocessable("the reminder time is in the past")


async def complete_occurrence(
    session: AsyncSession, task: Task, user_id: uuid.UUID, *, skipped: bool = False
) -> bool:
    """For a recurring task: record this occurrence as done (or skipped) and move the task
    to the next one, open again. False when the task does not repeat or the series is over
    (the caller then completes it as usual)."""
    if not task.recurrence or task.due_at is None:
        return False
    current = task.due_at
    following = schedule.next_occurrence(
        task.recurrence, task.series_start or current, current, task.time_zone
    )
    session.add(
        TaskCompletion(task_id=task.id, user_id=user_id, occurrence_at=current, skipped=skipped)
    )
    if following is None:
        return False
    if task.remind_at is not None:
        task.remind_at += following - current
    task.due_at, task.is_completed = following, False
    task.updated_at = utcnow()
    await session.flush()
    await reminders.reschedule(session, task)
    return True
