"""Favourites: each user's own starred notes (the sidebar section)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import note_for, readable_note_filter
from owlistic.events.outbox import emit
from owlistic.models import Favourite, Note
from owlistic.note.events import NoteFavourited, NoteUnfavourited


def _event(
    kind: type[NoteFavourited] | type[NoteUnfavourited], user_id: uuid.UUID, note: Note
) -> NoteFavourited | NoteUnfavourited:
    return kind(note_id=note.id, notebook_id=note.notebook_id, user_id=user_id, title=note.title)


class FavouriteService:
    async def list(self, session: AsyncSession, user_id: uuid.UUID) -> list[Note]:
        """The caller's favourites that they may still read, most recently starred first."""
        return list(
            await session.scalars(
                select(Note)
                .join(Favourite, Favourite.note_id == Note.id)
                .where(
                    Favourite.user_id == user_id,
                    Note.deleted_at.is_(None),
                    readable_note_filter(user_id),
                )
                .order_by(Favourite.created_at.desc(), Note.id)
            )
        )

    async def add(self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> None:
        note, _ = await note_for(session, user_id, note_id, Rank.VIEWER)
        if await session.get(Favourite, (user_id, note.id)) is None:
            session.add(Favourite(user_id=user_id, note_id=note.id))
            await session.flush()
            await emit(session, _event(NoteFavourited, user_id, note))

    async def remove(self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> None:
        note, _ = await note_for(session, user_id, note_id, Rank.VIEWER)
        result = await session.execute(
            delete(Favourite).where(Favourite.user_id == user_id, Favourite.note_id == note.id)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            await emit(session, _event(NoteUnfavourited, user_id, note))


favourite = FavouriteService()
