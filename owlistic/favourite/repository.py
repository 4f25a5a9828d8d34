"""Every query of the favourite domain."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_note_filter
from owlistic.models import Favourite, Note


async def readable_notes(session: AsyncSession, user_id: uuid.UUID) -> list[Note]:
    """The user's favourites they may still read, most recently starred first."""
    return list(
        await session.scalars(
            select(Note)
            .join(Favourite, Favourite.note_id == Note.id)
            .where(Favourite.user_id == user_id, Note.live(), readable_note_filter(user_id))
            .order_by(Favourite.created_at.desc(), Note.id)
        )
    )


async def add(session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> bool:
    """Whether it was not a favourite yet (and now is)."""
    if await session.get(Favourite, (user_id, note_id)) is not None:
        return False
    session.add(Favourite(user_id=user_id, note_id=note_id))
    await session.flush()
    return True


async def remove(session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> bool:
    """Whether it was a favourite."""
    result = await session.execute(
        delete(Favourite).where(Favourite.user_id == user_id, Favourite.note_id == note_id)
    )
    return bool(getattr(result, "rowcount", 0))
