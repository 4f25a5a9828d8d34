from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events.outbox import emit
from owlistic.note.events import NoteOrganised
from owlistic.note.tags import normalize_tag
from owlistic.settings import get_settings
from owlistic.tag import repository


def _renamed(tag: str, old: str, new: str) -> str:
    return new + tag[len(old) :] if tag == old or tag.startswith(old + "/") else tag


class TagService:
    async def list(self, session: AsyncSession, user_id: uuid.UUID) -> list[tuple[str, int]]:
        """Tags of the live notes the caller may read, with how many notes carry each."""
        return await repository.readable_counts(session, user_id)

    async def rename(
        self, session: AsyncSession, user_id: uuid.UUID, *, old: str, new: str
    ) -> tuple[str, int]:
        """On every note the caller may edit; one ``NoteOrganised`` per note changed."""
        limit = get_settings().tag_max_chars
        old, new = normalize_tag(old, limit), normalize_tag(new, limit)
        notes = await repository.writable_with_tag(session, user_id, old)
        for note in notes:
            note.tags = list(dict.fromkeys(_renamed(t, old, new) for t in note.tags or []))
        await session.flush()
        for note in notes:
            await emit(session, NoteOrganised.of(note))
        return new, len(notes)


tag = TagService()
