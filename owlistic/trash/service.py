"""The trash: everything trashed by one action (a batch) is restored or purged together."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic import cascade
from owlistic.access.roles import Rank
from owlistic.access.service import note_for, notebook_for
from owlistic.events.outbox import emit
from owlistic.kit.errors import Conflict
from owlistic.models import Note, Notebook
from owlistic.note.events import NotePurged, NoteRestored
from owlistic.notebook.events import NotebookPurged, NotebookRestored
from owlistic.trash.events import TrashEmptied

ItemType = Literal["note", "notebook"]


class TrashService:
    async def contents(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> tuple[list[Note], list[Notebook]]:
        return await cascade.contents(session, user_id)

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
            await cascade.restore(session, note)
            await emit(session, NoteRestored.of(note))
        else:
            notebook, _ = await notebook_for(
                session, user_id, item_id, Rank.OWNER, verb="restore", trashed=True
            )
            await cascade.restore(session, notebook)
            await emit(session, NotebookRestored.of(notebook))

    async def purge(
        self, session: AsyncSession, user_id: uuid.UUID, kind: ItemType, item_id: uuid.UUID
    ) -> None:
        """Deletes for good; only items already in the trash."""
        if kind == "note":
            note, _ = await note_for(
                session, user_id, item_id, Rank.OWNER, verb="delete permanently", trashed=True
            )
            await emit(session, NotePurged.of(note))
            await cascade.purge_notes(session, [note.id])
        else:
            notebook, _ = await notebook_for(
                session, user_id, item_id, Rank.OWNER, verb="delete permanently", trashed=True
            )
            await emit(session, NotebookPurged.of(notebook))
            await cascade.purge_notebook(session, notebook)

    async def empty(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        notes, notebooks = await self.contents(session, user_id)
        await cascade.purge_notes(session, [n.id for n in notes])
        for notebook in notebooks:
            await cascade.purge_notebook(session, notebook)
        await emit(session, TrashEmptied(user_id=user_id))


trash = TrashService()
