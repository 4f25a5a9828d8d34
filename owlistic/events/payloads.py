"""Event payloads, named and shaped as the original clients read them (contract 6.4)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events.outbox import emit
from owlistic.models import Block, Note, Notebook, Reminder, Task
from owlistic.task import schedule


def block_event(
    session: AsyncSession, event: str, block: Block, audience: Iterable[str], **extra: Any
) -> None:
    data: dict[str, Any] = {
        "block_id": str(block.id),
        "note_id": str(block.note_id),
        "user_id": str(block.user_id),
    }
    if event != "block.deleted":
        data |= {
            "block_type": block.type,
            "order": block.order,
            "content": block.content,
            "metadata": block.meta,
            "updated_at": block.updated_at.isoformat(),
        }
    emit(
        session,
        event=event,
        entity="block",
        data=data | extra,
        key=str(block.note_id),
        resource_type="block",
        resource_id=str(block.id),
        audience=audience,
    )


def task_event(session: AsyncSession, event: str, task: Task, audience: Iterable[str]) -> None:
    tid = str(task.id)
    data: dict[str, Any] = {
        "task_id": tid,
        "user_id": str(task.user_id),
        "note_id": str(task.note_id) if task.note_id else None,
        "block_id": str(task.block_id) if task.block_id else None,
    }
    if event == "task.deleted":
        data["data"] = {"task_id": tid, "id": tid}  # where the original client looks
    else:
        data |= schedule_fields(task) | {"title": task.title, "is_completed": task.is_completed}
    emit(
        session,
        event=event,
        entity="task",
        data=data,
        key=str(task.note_id or task.user_id),
        resource_type="task",
        resource_id=tid,
        audience=audience,
    )


def schedule_fields(task: Task) -> dict[str, Any]:
    remind = schedule.reminder_time(task.due_at, task.remind_at, task.remind_before_minutes)
    return {
        "due_date": schedule.due_text(task.due_at, task.due_all_day, task.time_zone),
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "due_all_day": task.due_all_day,
        "time_zone": task.time_zone,
        "remind_at": remind.isoformat() if remind else None,
        "remind_before_minutes": task.remind_before_minutes,
        "recurrence": task.recurrence,
    }


def reminder_event(session: AsyncSession, reminder: Reminder, task: Task) -> None:
    """``task.reminder``, to the task's owner only: the in-app notification."""
    tid = str(task.id)
    emit(
        session,
        event="task.reminder",
        entity="task",
        data={
            "task_id": tid,
            "reminder_id": str(reminder.id),
            "user_id": str(task.user_id),
            "note_id": str(task.note_id) if task.note_id else None,
            "title": task.title,
            "fire_at": reminder.fire_at.isoformat(),
            "late": reminder.late,
            "kind": reminder.kind,
            **schedule_fields(task),
        },
        key=str(task.note_id or task.user_id),
        resource_type="task",
        resource_id=tid,
        audience=[str(reminder.user_id)],
    )


def note_event(
    session: AsyncSession, event: str, note: Note, audience: Iterable[str], **extra: Any
) -> None:
    nid = str(note.id)
    data: dict[str, Any] = {
        "note_id": nid,
        "notebook_id": str(note.notebook_id),
        "title": note.title,
    }
    emit(
        session,
        event=event,
        entity="note",
        data=data | extra,
        key=nid,
        resource_type="note",
        resource_id=nid,
        audience=audience,
    )


def notebook_event(
    session: AsyncSession,
    event: str,
    notebook: Notebook,
    audience: Iterable[str],
    **extra: Any,
) -> None:
    nid = str(notebook.id)
    data: dict[str, Any] = {
        "notebook_id": nid,
        "name": notebook.name,
        "description": notebook.description,
    }
    emit(
        session,
        event=event,
        entity="notebook",
        data=data | extra,
        key=nid,
        resource_type="notebook",
        resource_id=nid,
        audience=audience,
    )
