"""Every query of the task domain."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_note_filter
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Notebook, Task, TaskCompletion
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


async def live_in_context(
    session: AsyncSession, task_id: uuid.UUID
) -> tuple[Task, Note | None, uuid.UUID | None, Block | None] | None:
    """A live task with its note, the note's notebook owner and its live block, in one query."""
    row = (
        await session.execute(
            select(Task, Note, Notebook.user_id, Block)
            .outerjoin(Note, Note.id == Task.note_id)
            .outerjoin(Notebook, Notebook.id == Note.notebook_id)
            .outerjoin(Block, and_(Block.id == Task.block_id, Block.live()))
            .where(Task.id == task_id, Task.live())
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def linked_to(session: AsyncSession, block_id: uuid.UUID) -> Task | None:
    """The live task linked to a block."""
    return await session.scalar(select(Task).where(Task.block_id == block_id, Task.live()).limit(1))
