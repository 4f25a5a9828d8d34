"""Every query of the tag domain (what a tag is: ``note/tags.py``)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_note_filter, writable_note_filter
from owlistic.models import Note
from owlistic.note.repository import has_tag, tag_elements


async def readable_counts(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[str, int]]:
    """Tags of the live notes the caller may read, with how many notes carry each."""
    elements = tag_elements(session.get_bind().dialect.name)
    rows = await session.execute(
        select(elements.c.value, func.count())
        .select_from(Note.__table__.join(elements, true()))
        .where(Note.live(), readable_note_filter(user_id))
        .group_by(elements.c.value)
        .order_by(elements.c.value)
    )
    return [(str(name), int(count)) for name, count in rows]


async def writable_with_tag(session: AsyncSession, user_id: uuid.UUID, tag: str) -> list[Note]:
    """Live notes the caller may edit that carry ``tag`` or one nested under it."""
    return list(
        await session.scalars(
            select(Note).where(
                Note.live(),
                writable_note_filter(user_id),
                has_tag(session.get_bind().dialect.name, tag),
            )
        )
    )
