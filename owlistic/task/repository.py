"""Every query of the task domain."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, bindparam, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access import audience
from owlistic.access.service import readable_note_filter
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Notebook, Reminder, Task, TaskCompletion
from owlistic.task.views import DueView, due_filter


def readable_filter(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Tasks in notes the user may read, plus their own tasks outside any note."""
    readable_notes = select(Note.id).where(Note.live(), readable_note_filter(user_id))
    return or_(
        Task.note_id.in_(readable_notes), (Task.note_id.is_(None)) & (Task.user_id == user_id)
    )


async def readable(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    completed: bool | None,
    note_id: uuid.UUID | None,
    block_id: uuid.UUID | None,
    due: DueView | None = None,
    time_zone: str = "UTC",
) -> list[Task]:
    query = select(Task).where(Task.live(), readable_filter(user_id))
    if completed is not None:
        query = query.where(Task.is_completed.is_(completed))
    if note_id is not None:
        query = query.where(Task.note_id == note_id)
    if block_id is not None:
        query = query.where(Task.block_id == block_id)
    if due is not None:
        query = query.where(due_filter(due, time_zone, utcnow()))
        # Soonest first; an all-day task at the start of its day.
        return list(await session.scalars(query.order_by(Task.due_at, Task.created_at, Task.id)))
    return list(await session.scalars(query.order_by(Task.created_at, Task.id)))


async def completions(session: AsyncSession, task_id: uuid.UUID) -> list[TaskCompletion]:
    return list(
        await session.scalars(
            select(TaskCompletion)
            .where(TaskCompletion.task_id == task_id)
            .order_by(TaskCompletion.occurrence_at)
        )
    )


@functools.cache
def _task_in_context() -> Select[Task, Note | None, uuid.UUID | None, Block | None, str | None]:
    # Built once: every REST task write runs it (docs/architecture.md, "Per-request cost").
    return (
        select(Task, Note, Notebook.user_id, Block, audience.note_holders())
        .outerjoin(Note, Note.id == Task.note_id)
        .outerjoin(Notebook, Notebook.id == Note.notebook_id)
        .outerjoin(Block, and_(Block.id == Task.block_id, Block.live()))
        .where(Task.id == bindparam("task_id"), Task.live())
        .limit(1)
    )


async def live_in_context(
    session: AsyncSession, task_id: uuid.UUID
) -> tuple[Task, Note | None, uuid.UUID | None, Block | None] | None:
    """A live task with its note, the note's notebook owner and its live block, in one query
    (with the audience of its events, remembered for them)."""
    row = (await session.execute(_task_in_context(), {"task_id": task_id})).first()
    if row is None:
        return None
    if row[1] is not None and row[2] is not None:
        audience.remember_note(session, row[1], row[2], row[4])
    return row[0], row[1], row[2], row[3]


async def linked_to(session: AsyncSession, block_id: uuid.UUID) -> Task | None:
    """The live task linked to a block."""
    return await session.scalar(select(Task).where(Task.block_id == block_id, Task.live()).limit(1))


async def drop_pending_reminder(session: AsyncSession, task_id: uuid.UUID) -> None:
    await session.execute(
        delete(Reminder).where(Reminder.task_id == task_id, Reminder.status == "pending")
    )


async def reminder_sent(session: AsyncSession, task_id: uuid.UUID, at: datetime) -> bool:
    """Whether a reminder for this time was already sent (it is not queued again)."""
    sent = exists().where(
        Reminder.task_id == task_id, Reminder.fire_at == at, Reminder.status == "sent"
    )
    return bool(await session.scalar(select(sent)))


async def unmirrored_schedules(
    session: AsyncSession, limit: int, *, skip_locked: bool
) -> list[tuple[Task, Block]]:
    """Live tasks with a schedule whose live checklist block does not state one (written
    before blocks carried schedules); on PostgreSQL locked, skipping those another instance
    is mirroring."""
    query = (
        select(Task, Block)
        .join(Block, Block.id == Task.block_id)
        .where(
            Task.live(),
            Block.live(),
            or_(
                Task.due_at.is_not(None), Task.remind_at.is_not(None), Task.recurrence.is_not(None)
            ),
            Block.meta["due_date"].as_string().is_(None),
        )
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=Task)
    return [(t, b) for t, b in (await session.execute(query)).all()]
