"""Event payloads, named and shaped as the original clients read them (contract 6.4)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events.outbox import emit
from owlistic.models import Block, Note, Notebook, Task


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
        data |= {"title": task.title, "is_completed": task.is_completed, "due_date": task.due_date}
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
