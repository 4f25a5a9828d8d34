"""Every query of the note domain (a note's blocks are in ``block/repository.py``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TableValuedAlias

from owlistic.access.service import readable_note_filter
from owlistic.block.repository import core_rows
from owlistic.kit.sqljson import uuid_text
from owlistic.models import Note
from owlistic.note import views


def tag_elements(dialect: str) -> TableValuedAlias:
    """The tags of the ``notes`` row in scope, one row each (column ``value``). Notes written
    before tags were settable hold JSON ``null``, which neither engine can iterate."""
    column: Any = Note.tags
    if dialect == "sqlite":
        safe = case((func.json_type(column) == "array", column), else_=literal("[]"))
        return func.json_each(safe).table_valued("value")
    safe = case((func.jsonb_typeof(column) == "array", column), else_=literal_column("'[]'::jsonb"))
    return func.jsonb_array_elements_text(safe).table_valued("value").render_derived()


def matches_tag(value: Any, tag: str) -> ColumnElement[bool]:
    """The tag itself or one nested under it (``work`` matches ``work/clients``)."""
    return or_(value == tag, value.startswith(tag + "/", autoescape=True))


def has_tag(dialect: str, tag: str) -> ColumnElement[bool]:
    elements = tag_elements(dialect)
    return exists(select(1).select_from(elements).where(matches_tag(elements.c.value, tag)))


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
