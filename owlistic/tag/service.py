from __future__ import annotations

import uuid

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_note_filter, writable_note_filter
from owlistic.events.outbox import emit
from owlistic.models import Note
from owlistic.note.events import NoteOrganised
from owlistic.note.tags import has_tag, normalize_tag, tag_elements
from owlistic.settings import get_settings


def _renamed(tag: str, old: str, new: str) -> str:
    return new + tag[len(old) :] if tag == old or tag.startswith(old + "/") else tag


class TagService:
    async def list(self, session: AsyncSession, user_id: uuid.UUID) -> list[tuple[str, int]]:
        """Tags of the live notes the caller may read, with how many notes carry each."""
        elements = tag_elements(session.get_bind().dialect.name)
        rows = await session.execute(
            select(elements.c.value, func.count())
            .select_from(Note.__table__.join(elements, true()))
            .where(Note.deleted_at.is_(None), readable_note_filter(user_id))
            .group_by(elements.c.value)
            .order_by(elements.c.value)
        )
        return [(str(name), int(count)) for name, count in rows]

    async def rename(
        self, session: AsyncSession, user_id: uuid.UUID, *, old: str, new: str
    ) -> tuple[str, int]:
        """On every note the caller may edit; one ``NoteOrganised`` per note changed."""
        limit = get_settings().tag_max_chars
        old, new = normalize_tag(old, limit), normalize_tag(new, limit)
        notes = list(
            await session.scalars(
                select(Note).where(
                    Note.deleted_at.is_(None),
                    writable_note_filter(user_id),
                    has_tag(session.get_bind().dialect.name, old),
                )
            )
        )
        for note in notes:
            note.tags = list(dict.fromkeys(_renamed(t, old, new) for t in note.tags or []))
        await session.flush()
        for note in notes:
            await emit(session, NoteOrganised.of(note))
        return new, len(notes)


tag = TagService()
