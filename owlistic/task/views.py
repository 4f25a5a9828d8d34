"""The Tasks screen's sections, decided in the user's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_

from owlistic.models import Task
from owlistic.task import schedule


class DueView(StrEnum):
    overdue = "overdue"
    today = "today"
    upcoming = "upcoming"
    none = "none"


def due_filter(view: DueView, time_zone: str, now: datetime) -> ColumnElement[bool]:
    """Overdue: open and past its time (an all-day task once its day is over). Today: due
    later today. Upcoming: after today. None: no due date."""
    tz = schedule.zone(time_zone)
    today = schedule.local_wall(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    start = schedule.local_to_utc(today, tz)
    end = schedule.local_to_utc(today + timedelta(days=1), tz)
    dated = Task.due_at.is_not(None)
    overdue = and_(
        dated,
        Task.is_completed.is_(False),
        or_(
            and_(Task.due_all_day.is_(False), Task.due_at < now),
            and_(Task.due_all_day.is_(True), Task.due_at < start),
        ),
    )
    if view is DueView.overdue:
        return overdue
    if view is DueView.today:
        return and_(dated, Task.due_at >= start, Task.due_at < end, ~overdue)
    if view is DueView.upcoming:
        return and_(dated, Task.due_at >= end)
    return Task.due_at.is_(None)
