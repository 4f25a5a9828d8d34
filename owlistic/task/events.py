"""What happens to tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from owlistic.events.domain import DomainEvent
from owlistic.models import Reminder, Task
from owlistic.task import schedule


@dataclass(frozen=True, kw_only=True)
class TaskEvent(DomainEvent):
    task_id: uuid.UUID
    user_id: uuid.UUID
    note_id: uuid.UUID | None
    block_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class TaskChanged(TaskEvent):
    """The task's state after the change. ``text_changed`` is False when the writer knows
    the title and description are as before (a task ticked off): the search index then has
    nothing to refresh."""

    title: str
    is_completed: bool
    due_date: str
    due_at: datetime | None
    due_all_day: bool
    time_zone: str
    remind_at: datetime | None
    remind_before_minutes: int | None
    recurrence: str | None
    text_changed: bool = True

    @classmethod
    def of(cls, task: Task, *, text_changed: bool = True) -> Self:
        return cls(
            task_id=task.id,
            user_id=task.user_id,
            note_id=task.note_id,
            block_id=task.block_id,
            title=task.title,
            is_completed=task.is_completed,
            due_date=schedule.due_text(task.due_at, task.due_all_day, task.time_zone),
            due_at=task.due_at,
            due_all_day=task.due_all_day,
            time_zone=task.time_zone,
            remind_at=schedule.reminder_time(
                task.due_at, task.remind_at, task.remind_before_minutes
            ),
            remind_before_minutes=task.remind_before_minutes,
            recurrence=task.recurrence,
            text_changed=text_changed,
        )


@dataclass(frozen=True, kw_only=True)
class TaskCreated(TaskChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class TaskUpdated(TaskChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class TaskCompleted(TaskUpdated):
    """An update that ticked the task off (subscribers of ``TaskUpdated`` get it too)."""


@dataclass(frozen=True, kw_only=True)
class TaskDeleted(TaskEvent):
    @classmethod
    def of(cls, task: Task) -> Self:
        return cls(
            task_id=task.id, user_id=task.user_id, note_id=task.note_id, block_id=task.block_id
        )


@dataclass(frozen=True, kw_only=True)
class TaskReminderFired(TaskChanged):
    """A reminder went off: for the in-app notification of the one user it is for."""

    reminder_id: uuid.UUID
    remind_user_id: uuid.UUID
    fire_at: datetime
    late: bool
    kind: str

    @classmethod
    def fired(cls, task: Task, reminder: Reminder) -> Self:
        base = TaskChanged.of(task)
        return cls(
            **{f: getattr(base, f) for f in TaskChanged.__dataclass_fields__ if f != "id"},
            reminder_id=reminder.id,
            remind_user_id=reminder.user_id,
            fire_at=reminder.fire_at,
            late=reminder.late,
            kind=reminder.kind,
        )


def task_updated(task: Task, *, was_completed: bool, text_changed: bool = True) -> TaskUpdated:
    """``TaskCompleted`` when this update ticked the task off, else ``TaskUpdated``."""
    kind = TaskCompleted if task.is_completed and not was_completed else TaskUpdated
    return kind.of(task, text_changed=text_changed)
