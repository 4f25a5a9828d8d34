"""The trash: everything trashed by one action (a batch) is restored or purged together."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import Update, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import note_for, notebook_for
from owlistic.events.outbox import emit
from owlistic.kit.errors import Conflict
from owlistic.models import Block, Note, Notebook, Role, Task
from owlistic.note.events import NotePurged, NoteRestored
from owlistic.notebook.events import NotebookPurged, NotebookRestored
from owlistic.trash.events import TrashEmptied

ItemType = Literal["note", "notebook"]


def _in_batch(model: type[Note] | type[Block] | type[Task], batch: uuid.UUID) -> Update:
    return (
        update(model)
        .where(model.deleted_batch == batch)
        .values(deleted_at=None, deleted_batch=None)
    )


class TrashService:
    async def contents(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> tuple[list[Note], list[Notebook]]:
        notebooks = list(
            await session.scalars(
                select(Notebook)
                .where(Notebook.user_id == user_id, Notebook.deleted_at.is_not(None))
                .order_by(Notebook.deleted_at.desc())
            )
        )
        # Notes trashed on their own; those trashed with their notebook come back with it.
        notes = list(
            await session.scalars(
                select(Note)
                .join(Notebook, Notebook.id == Note.notebook_id)
                .where(
                    Note.deleted_at.is_not(None),
                    or_(Note.user_id == user_id, Notebook.user_id == user_id),
                    or_(
                        Notebook.deleted_at.is_(None), Notebook.deleted_batch != Note.deleted_batch
                    ),
                )
                .order_by(Note.deleted_at.desc())
            )
        )
        return notes, notebooks

    async def restore(
        self, session: AsyncSession, user_id: uuid.UUID, kind: ItemType, item_id: uuid.UUID
    ) -> None:
        if kind == "note":
            note, _ = await note_for(
                session, user_id, item_id, Rank.OWNER, verb="restore", trashed=True
            )
            parent = await session.get(Notebook, note.notebook_id)
            if parent is not None and parent.deleted_at is not None:
                raise Conflict("this note's notebook is in the trash; restore the notebook first")
            await self._restore_batch(session, note)
            await emit(session, NoteRestored.of(note))
        else:
            notebook, _ = await notebook_for(
                session, user_id, item_id, Rank.OWNER, verb="restore", trashed=True
            )
            await self._restore_batch(session, notebook)
            await emit(session, NotebookRestored.of(notebook))

    async def _restore_batch(self, session: AsyncSession, item: Note | Notebook) -> None:
        batch = item.deleted_batch
        item.deleted_at, item.deleted_batch = None, None
        await session.flush()
        if batch is not None:  # a row trashed without a batch comes back alone
            for model in (Note, Block, Task):
                await session.execute(_in_batch(model, batch))

    async def _purge_notes(self, session: AsyncSession, note_ids: list[uuid.UUID]) -> None:
        if not note_ids:
            return
        task_ids = select(Task.id).where(Task.note_id.in_(note_ids))
        await session.execute(
            delete(Role).where(or_(Role.resource_id.in_(note_ids), Role.resource_id.in_(task_ids)))
        )
        await session.execute(delete(Task).where(Task.note_id.in_(note_ids)))
        await session.execute(delete(Block).where(Block.note_id.in_(note_ids)))
        await session.execute(delete(Note).where(Note.id.in_(note_ids)))

    async def _purge_notebook(self, session: AsyncSession, notebook: Notebook) -> None:
        note_ids = list(
            await session.scalars(select(Note.id).where(Note.notebook_id == notebook.id))
        )
        await self._purge_notes(session, note_ids)
        await session.execute(delete(Role).where(Role.resource_id == notebook.id))
        await session.execute(delete(Notebook).where(Notebook.id == notebook.id))

    async def purge(
        self, session: AsyncSession, user_id: uuid.UUID, kind: ItemType, item_id: uuid.UUID
    ) -> None:
        """Deletes for good; only items already in the trash."""
        if kind == "note":
            note, _ = await note_for(
                session, user_id, item_id, Rank.OWNER, verb="delete permanently", trashed=True
            )
            await emit(session, NotePurged.of(note))
            await self._purge_notes(session, [note.id])
        else:
            notebook, _ = await notebook_for(
                session, user_id, item_id, Rank.OWNER, verb="delete permanently", trashed=True
            )
            await emit(session, NotebookPurged.of(notebook))
            await self._purge_notebook(session, notebook)

    async def empty(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        notes, notebooks = await self.contents(session, user_id)
        await self._purge_notes(session, [n.id for n in notes])
        for notebook in notebooks:
            await self._purge_notebook(session, notebook)
        await emit(session, TrashEmptied(user_id=user_id))


trash = TrashService()
