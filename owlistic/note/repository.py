"""Every query of the note domain (a note's blocks are in ``block/repository.py``)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_note_filter
from owlistic.block.repository import core_rows
from owlistic.kit.sqljson import uuid_text
from owlistic.models import Note
from owlistic.note import views
from owlistic.note.tags import has_tag


async def readable_json(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    notebook_id: uuid.UUID | None,
    title: str | None,
    tag: str | None = None,
) -> list[tuple[uuid.UUID, str, str]]:
    """Readable live notes, pinned first, then newest first: (id, id as text, the note's
    JSON without blocks). ``tag`` (normalised) keeps those with it or one nested under it."""
    query = (
        select(Note.id, uuid_text(Note.id), views.NOTE_JSON)
        .where(Note.live(), readable_note_filter(user_id))
        .order_by(Note.pinned.desc(), Note.updated_at.desc(), Note.id)
    )
    if tag is not None:
        query = query.where(has_tag(session.get_bind().dialect.name, tag))
    if notebook_id is not None:
        query = query.where(Note.notebook_id == notebook_id)
    if title:
        query = query.where(Note.title.contains(title, autoescape=True))
    return [(a, b, c) for a, b, c in await core_rows(session, query)]
