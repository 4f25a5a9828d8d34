"""Favourites: each user's own starred notes (the sidebar section)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import note_for
from owlistic.events.outbox import emit
from owlistic.favourite import repository
from owlistic.models import Note
from owlistic.note.events import NoteFavourited, NoteUnfavourited


def _event(
    kind: type[NoteFavourited] | type[NoteUnfavourited], user_id: uuid.UUID, note: Note
) -> NoteFavourited | NoteUnfavourited:
    return kind(note_id=note.id, notebook_id=note.notebook_id, user_id=user_id, title=note.title)


class FavouriteService:
    async def list(self, session: AsyncSession, user_id: uuid.UUID) -> list[Note]:
        """The caller's favourites that they may still read, most recently starred first."""
        return await repository.readable_notes(session, user_id)

    async def add(self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> None:
        note, _ = await note_for(session, user_id, note_id, Rank.VIEWER)
        if await repository.add(session, user_id, note.id):
            await emit(session, _event(NoteFavourited, user_id, note))

    async def remove(self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> None:
        note, _ = await note_for(session, user_id, note_id, Rank.VIEWER)
        if await repository.remove(session, user_id, note.id):
            await emit(session, _event(NoteUnfavourited, user_id, note))


favourite = FavouriteService()
