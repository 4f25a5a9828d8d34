from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.sqljson import json_float, json_object, json_value, utc_text, uuid_text
from owlistic.models import Block, Note, Notebook, Task

ORDERING = (Block.order, Block.created_at, Block.id)
ORDER_STEP = 1000.0


def live_in(note_ids: Sequence[uuid.UUID]) -> Select[Block]:
    return select(Block).where(Block.note_id.in_(note_ids), Block.deleted_at.is_(None))


async def blocks_by_note(
    session: AsyncSession, note_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Block]]:
    """All live blocks of these notes in one query, each note's in display order."""
    grouped: dict[uuid.UUID, list[Block]] = defaultdict(list)
    if note_ids:
        for block in await session.scalars(live_in(note_ids).order_by(*ORDERING)):
            grouped[block.note_id].append(block)
    return grouped


# A block in its response shape (``BlockOut``), as JSON text made by the database: the hot
# read paths (open a note, list a notebook's notes) build no Python object per block.
BLOCK_JSON = json_object(
    ("id", uuid_text(Block.id)),
    ("user_id", uuid_text(Block.user_id)),
    ("note_id", uuid_text(Block.note_id)),
    ("type", Block.type),
    ("content", json_value(Block.content)),
    ("metadata", json_value(Block.meta)),
    ("order", json_float(Block.order)),
    ("created_at", utc_text(Block.created_at)),
    ("updated_at", utc_text(Block.updated_at)),
    ("deleted_at", utc_text(Block.deleted_at)),
)


async def block_json_by_note(
    session: AsyncSession, note_ids: Sequence[uuid.UUID]
) -> dict[str, list[str]]:
    """Like ``blocks_by_note`` as JSON texts, keyed by the note id's text."""
    grouped: dict[str, list[str]] = defaultdict(list)
    if note_ids:
        query = (
            select(uuid_text(Block.note_id), BLOCK_JSON)
            .where(Block.note_id.in_(note_ids), Block.deleted_at.is_(None))
            .order_by(*ORDERING)
        )
        for note_key, text in await core_rows(session, query):
            grouped[note_key].append(text)
    return grouped


async def core_rows(session: AsyncSession, query: Executable) -> list[Any]:
    """Rows of a Core select in the session's transaction: no identity map, no instances."""
    return list(await (await session.connection()).execute(query))


async def next_order(session: AsyncSession, note_id: uuid.UUID) -> float:
    highest = await session.scalar(
        select(func.max(Block.order)).where(Block.note_id == note_id, Block.deleted_at.is_(None))
    )
    return (highest or 0.0) + ORDER_STEP


async def live_block_in_context(
    session: AsyncSession, block_id: uuid.UUID
) -> tuple[Block, Note, uuid.UUID, Task | None] | None:
    """A live block with its note, the note's notebook owner and its live task, in one
    query: what a write to the block needs to check access and keep the task in sync."""
    row = (
        await session.execute(
            select(Block, Note, Notebook.user_id, Task)
            .join(Note, Note.id == Block.note_id)
            .join(Notebook, Notebook.id == Note.notebook_id)
            .outerjoin(Task, and_(Task.block_id == Block.id, Task.deleted_at.is_(None)))
            .where(Block.id == block_id, Block.deleted_at.is_(None))
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def live_block(session: AsyncSession, block_id: uuid.UUID) -> Block | None:
    return await session.scalar(
        select(Block).where(Block.id == block_id, Block.deleted_at.is_(None))
    )
