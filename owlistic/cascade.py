"""The trash cascade, in one place: what trashing, restoring and purging takes with it.

Trashing a notebook or a note stamps it and everything live inside it (notes, blocks,
tasks) with one batch id; restoring clears exactly that batch, so what was trashed on its
own before stays trashed; purging deletes rows for good with their role rows. These are
queries only: the services check access and emit the events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Update, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Notebook, Role, Task


@dataclass
class Trashed:
    """What one trash action stamped (blocks are stamped in bulk and not loaded)."""

    batch: uuid.UUID
    at: datetime = field(default_factory=utcnow)
    notes: list[Note] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


async def _stamp_contents(session: AsyncSession, note_ids: list[uuid.UUID], into: Trashed) -> None:
    if not note_ids:
        return
    await session.execute(
        update(Block)
        .where(Block.note_id.in_(note_ids), Block.live())
        .values(deleted_at=into.at, deleted_batch=into.batch)
    )
    into.tasks = list(
        await session.scalars(select(Task).where(Task.note_id.in_(note_ids), Task.live()))
    )
    for task in into.tasks:
        task.stamp(into.at, into.batch)


async def trash_note(session: AsyncSession, note: Note) -> Trashed:
    trashed = Trashed(batch=uuid.uuid4(), notes=[note])
    await _stamp_contents(session, [note.id], trashed)
    note.stamp(trashed.at, trashed.batch)
    await session.flush()
    return trashed


async def trash_notebook(session: AsyncSession, notebook: Notebook) -> Trashed:
    trashed = Trashed(batch=uuid.uuid4())
    trashed.notes = list(
        await session.scalars(select(Note).where(Note.notebook_id == notebook.id, Note.live()))
    )
    await _stamp_contents(session, [n.id for n in trashed.notes], trashed)
    for note in trashed.notes:
        note.stamp(trashed.at, trashed.batch)
    notebook.stamp(trashed.at, trashed.batch)
    await session.flush()
    return trashed


def _unstamp(model: type[Note] | type[Block] | type[Task], batch: uuid.UUID) -> Update:
    return (
        update(model)
        .where(model.deleted_batch == batch)
        .values(deleted_at=None, deleted_batch=None)
    )


async def restore(session: AsyncSession, item: Note | Notebook) -> None:
    """Brings back ``item`` with exactly what was trashed together with it."""
    batch = item.deleted_batch
    item.deleted_at, item.deleted_batch = None, None
    await session.flush()
    if batch is not None:  # a row trashed without a batch comes back alone
        for model in (Note, Block, Task):
            await session.execute(_unstamp(model, batch))


async def purge_notes(session: AsyncSession, note_ids: list[uuid.UUID]) -> None:
    if not note_ids:
        return
    task_ids = select(Task.id).where(Task.note_id.in_(note_ids))
    await session.execute(
        delete(Role).where(or_(Role.resource_id.in_(note_ids), Role.resource_id.in_(task_ids)))
    )
    await session.execute(delete(Task).where(Task.note_id.in_(note_ids)))
    await session.execute(delete(Block).where(Block.note_id.in_(note_ids)))
    await session.execute(delete(Note).where(Note.id.in_(note_ids)))


async def purge_notebook(session: AsyncSession, notebook: Notebook) -> None:
    note_ids = list(await session.scalars(select(Note.id).where(Note.notebook_id == notebook.id)))
    await purge_notes(session, note_ids)
    await session.execute(delete(Role).where(Role.resource_id == notebook.id))
    await session.execute(delete(Notebook).where(Notebook.id == notebook.id))


async def contents(session: AsyncSession, user_id: uuid.UUID) -> tuple[list[Note], list[Notebook]]:
    """The user's trash: their trashed notebooks, and notes trashed on their own (those
    trashed with their notebook come back with it)."""
    notebooks = list(
        await session.scalars(
            select(Notebook)
            .where(Notebook.user_id == user_id, Notebook.trashed())
            .order_by(Notebook.deleted_at.desc())
        )
    )
    notes = list(
        await session.scalars(
            select(Note)
            .join(Notebook, Notebook.id == Note.notebook_id)
            .where(
                Note.trashed(),
                or_(Note.user_id == user_id, Notebook.user_id == user_id),
                or_(Notebook.live(), Notebook.deleted_batch != Note.deleted_batch),
            )
            .order_by(Note.deleted_at.desc())
        )
    )
    return notes, notebooks
