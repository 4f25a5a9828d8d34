"""What happens to tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Self

from owlistic.events.domain import DomainEvent
from owlistic.models import Task


@dataclass(frozen=True, kw_only=True)
class TaskEvent(DomainEvent):
    task_id: uuid.UUID
    user_id: uuid.UUID
    note_id: uuid.UUID | None
    block_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class TaskChanged(TaskEvent):
    """The task's state after the change."""

    title: str
    is_completed: bool
    due_date: str

    @classmethod
    def of(cls, task: Task) -> Self:
        return cls(
            task_id=task.id,
            user_id=task.user_id,
            note_id=task.note_id,
            block_id=task.block_id,
            title=task.title,
            is_completed=task.is_completed,
            due_date=task.due_date,
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


def task_updated(task: Task, *, was_completed: bool) -> TaskUpdated:
    """``TaskCompleted`` when this update ticked the task off, else ``TaskUpdated``."""
    kind = TaskCompleted if task.is_completed and not was_completed else TaskUpdated
    return kind.of(task)
