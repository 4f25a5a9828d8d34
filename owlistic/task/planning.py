"""Applying due time, reminder and recurrence changes to a task inside the writing transaction."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.errors import Conflict, Unprocessable
from owlistic.kit.time import utcnow
from owlistic.models import Task, TaskCompletion
from owlistic.task import reminders, schedule
from owlistic.task.schemas import MAX_REMIND_BEFORE_MINUTES, ScheduleInput

SCHEDULE_FIELDS = frozenset(
    {"due_at", "due_date", "time_zone", "remind_at", "remind_before_minutes", "recurrence"}
)


def apply_schedule(task: Task, body: ScheduleInput, fields: set[str]) -> None:
    """Sets the schedule keys present in ``body``; Conflict for a combination that cannot
    work with what the task has (a reminder in the past, repetition without a due time)."""
    if "time_zone" in fields and body.time_zone:
        if task.due_at is not None and task.due_all_day:
            # An all-day task stays on its calendar day in the new zone.
            day = schedule.local_wall(task.due_at, schedule.zone(task.time_zone))
            task.due_at = schedule.local_to_utc(day, schedule.zone(body.time_zone))
        task.time_zone = body.time_zone
    due = body.due_at if "due_at" in fields else getattr(body, "due_date", None)
    if "due_at" in fields or "due_date" in fields:
        if due:
            try:
                task.due_at, task.due_all_day = schedule.parse_due(
                    due, schedule.zone(task.time_zone)
                )
            except ValueError as exc:  # a wall time the zone moves past the last year
                raise Unprocessable(str(exc)) from None
        else:
            # A reminder relative to the due time goes with it (as in a block's schedule).
            task.due_at, task.due_all_day, task.remind_before_minutes = None, False, None
        task.series_start = task.due_at
    if "recurrence" in fields:
        task.recurrence = body.recurrence
        task.series_start = task.due_at
    if task.recurrence and task.due_at is None:
        raise Conflict("recurrence needs a due date (due_at)")
    if "remind_at" in fields:
        task.remind_at = body.remind_at
        if body.remind_at is not None:
            task.remind_before_minutes = None
    if "remind_before_minutes" in fields:
        task.remind_before_minutes = body.remind_before_minutes
        if body.remind_before_minutes is not None:
            if task.due_at is None:
                raise Conflict("remind_before_minutes needs a due date (due_at)")
            task.remind_at = None
    if fields & {"remind_at", "remind_before_minutes"}:
        fire = schedule.reminder_time(task.due_at, task.remind_at, task.remind_before_minutes)
        if fire is not None and fire < utcnow() - schedule.PAST_GRACE:
            raise Conflict("the reminder time is in the past")


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


def _zone_or(name: object, fallback: str) -> str:
    if isinstance(name, str):
        try:
            schedule.zone(name)
        except ValueError:
            return fallback
        return name
    return fallback


# A checklist block's metadata keys that hold its task's schedule.
BLOCK_SCHEDULE_KEYS = ("due_date", "time_zone", "remind_at", "remind_before_minutes", "recurrence")
# What a block says once its task's schedule is cleared: no due date, nothing else. A block
# without ``due_date`` says nothing (the task keeps its own), so clearing needs this.
CLEARED: dict[str, Any] = {"due_date": ""}


def has_schedule(task: Task) -> bool:
    return task.due_at is not None or task.remind_at is not None or task.recurrence is not None


def schedule_meta(task: Task, *, clearing: bool = False) -> dict[str, Any]:
    """The task's schedule as its checklist block's metadata (and so its node's attributes):
    the keys that have a value, ``due_date`` always among them. An unscheduled task's block
    carries none, so the original client sees the metadata it always saw; ``clearing`` (the
    block stated a schedule before) gives ``CLEARED``."""
    if not has_schedule(task):
        return dict(CLEARED) if clearing else {}
    meta: dict[str, Any] = {
        "due_date": schedule.due_text(task.due_at, task.due_all_day, task.time_zone),
        "time_zone": task.time_zone,
        "remind_at": task.remind_at.isoformat() if task.remind_at else None,
        "remind_before_minutes": task.remind_before_minutes,
        "recurrence": task.recurrence,
    }
    return {key: value for key, value in meta.items() if value is not None}


def with_schedule(meta: dict[str, Any], task: Task) -> dict[str, Any]:
    """A block's metadata with its schedule keys replaced by the task's."""
    stated = isinstance(meta.get("due_date"), str)
    kept = {key: value for key, value in meta.items() if key not in BLOCK_SCHEDULE_KEYS}
    return kept | schedule_meta(task, clearing=stated)


def apply_block_schedule(task: Task, meta: dict[str, Any]) -> bool:
    """Take the schedule a checklist block states (``schedule_meta``'s keys, as the note's
    document has them); whether anything changed. A document is not a request: what
    cannot be a schedule (an unknown zone, a malformed date or rule) is left as it was
    instead of refusing the whole edit, and a reminder in the past is simply not queued."""
    tz = _zone_or(meta.get("time_zone"), task.time_zone)
    due_at, all_day = task.due_at, task.due_all_day
    text = meta.get("due_date")
    if text == "" or text is None:
        due_at, all_day = None, False
    elif isinstance(text, str):
        with contextlib.suppress(ValueError):
            due_at, all_day = schedule.parse_due(text, schedule.zone(tz))
    rule = meta.get("recurrence")
    recurrence = task.recurrence
    if not rule:
        recurrence = None
    elif isinstance(rule, str):
        with contextlib.suppress(ValueError):
            recurrence = schedule.normalize_rule(rule)
    before = meta.get("remind_before_minutes")
    remind_before: int | None = None
    if (
        isinstance(before, int | float)
        and not isinstance(before, bool)
        and 0 <= before <= MAX_REMIND_BEFORE_MINUTES
    ):
        remind_before = int(before)
    remind_at: datetime | None = None
    at = meta.get("remind_at")
    if isinstance(at, str) and at:
        with contextlib.suppress(ValueError):
            remind_at = schedule.parse_instant(at, "remind_at")
    if due_at is None:
        recurrence, remind_before = None, None
    if remind_at is not None:
        remind_before = None
    wanted = (due_at, all_day, tz, remind_at, remind_before, recurrence)
    current = (
        task.due_at,
        task.due_all_day,
        task.time_zone,
        task.remind_at,
        task.remind_before_minutes,
        task.recurrence,
    )
    if wanted == current:
        return False
    if (due_at, recurrence) != (task.due_at, task.recurrence):
        task.series_start = due_at
    (
        task.due_at,
        task.due_all_day,
        task.time_zone,
        task.remind_at,
        task.remind_before_minutes,
        task.recurrence,
    ) = wanted
    return True
