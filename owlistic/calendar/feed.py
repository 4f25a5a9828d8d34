"""The iCalendar document of a user's tasks (RFC 5545, built with ``icalendar``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Todo, vRecur

from owlistic.models import Task
from owlistic.task import schedule

# How long a timed task occupies in a calendar that shows it as an event.
EVENT_LENGTH = timedelta(minutes=30)
# A COUNT-limited series is re-expressed with UNTIL from the current occurrence; longer
# series than this are cut there.
MAX_EXPANDED = 10_000
UID_DOMAIN = "owlistic"


def _moment(task: Task, at: datetime) -> object:
    local = at.astimezone(schedule.zone(task.time_zone))
    return local.date() if task.due_all_day else local


def _rule(task: Task) -> vRecur | None:
    """The task's RRULE as seen from its current occurrence (the feed's DTSTART)."""
    if not task.recurrence or task.due_at is None:
        return None
    rule: vRecur = vRecur.from_ical(task.recurrence)
    if "COUNT" in rule:
        start = task.series_start or task.due_at
        left = schedule.occurrences(
            task.recurrence, start, task.time_zone, datetime(9999, 1, 1, tzinfo=UTC), MAX_EXPANDED
        )
        del rule["COUNT"]
        rule["UNTIL"] = [left[-1].astimezone(UTC)] if left else [task.due_at.astimezone(UTC)]
    return rule


def build_feed(tasks: Sequence[Task], name: str, now: datetime) -> bytes:
    """Every open task as a VTODO; those with a due time also as a VEVENT, since many
    calendar apps ignore to-dos. UIDs derive from the task id, so they never change."""
    cal = Calendar()
    cal.add("prodid", "-//Owlistic//Tasks//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT15M")
    for task in tasks:
        rule = _rule(task)
        todo = Todo()
        todo.add("uid", f"{task.id}@{UID_DOMAIN}")
        todo.add("dtstamp", now)
        todo.add("created", task.created_at)
        todo.add("last-modified", task.updated_at)
        todo.add("summary", task.title or "(untitled task)")
        if task.description:
            todo.add("description", task.description)
        todo.add("status", "NEEDS-ACTION")
        if task.due_at is not None:
            todo.add("dtstart", _moment(task, task.due_at))
            todo.add("due", _moment(task, task.due_at))
            if rule is not None:
                todo.add("rrule", rule)
        cal.add_component(todo)
        if task.due_at is None:
            continue
        event = Event()
        event.add("uid", f"{task.id}-due@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("last-modified", task.updated_at)
        event.add("summary", task.title or "(untitled task)")
        if task.description:
            event.add("description", task.description)
        event.add("dtstart", _moment(task, task.due_at))
        end = task.due_at + (timedelta(days=1) if task.due_all_day else EVENT_LENGTH)
        event.add("dtend", _moment(task, end))
        event.add("transp", "TRANSPARENT")
        if rule is not None:
            event.add("rrule", rule)
        cal.add_component(event)
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data
