from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Executable, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access import audience
from owlistic.access.service import readable_note_filter
from owlistic.block.schemas import BLOCK_COLUMNS, BlockOut
from owlistic.kit.shapes import sql_json
from owlistic.kit.sqljson import uuid_text
from owlistic.models import Block, Note, Notebook, Task

ORDERING = (Block.order, Block.created_at, Block.id)
ORDER_STEP = 1000.0


def live_in(note_ids: Sequence[uuid.UUID]) -> Select[Block]:
    return select(Block).where(Block.note_id.in_(note_ids), Block.live())


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
BLOCK_JSON = sql_json(BlockOut, Block, columns=BLOCK_COLUMNS)


async def block_json_by_note(
    session: AsyncSession, note_ids: Sequence[uuid.UUID]
) -> dict[str, list[str]]:
    """Like ``blocks_by_note`` as JSON texts, keyed by the note id's text."""
    grouped: dict[str, list[str]] = defaultdict(list)
    if note_ids:
        query = (
            select(uuid_text(Block.note_id), BLOCK_JSON)
            .where(Block.note_id.in_(note_ids), Block.live())
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
        select(func.max(Block.order)).where(Block.note_id == note_id, Block.live())
    )
    return (highest or 0.0) + ORDER_STEP


@functools.cache
def _block_in_context() -> Select[Block, Note, uuid.UUID, Task | None, str | None]:
    # Built once: every REST block write runs it (docs/architecture.md, "Per-request cost").
    return (
        select(Block, Note, Notebook.user_id, Task, audience.note_holders())
        .join(Note, Note.id == Block.note_id)
        .join(Notebook, Notebook.id == Note.notebook_id)
        .outerjoin(Task, and_(Task.block_id == Block.id, Task.live()))
        .where(Block.id == bindparam("block_id"), Block.live())
        .limit(1)
    )


async def live_block_in_context(
    session: AsyncSession, block_id: uuid.UUID
) -> tuple[Block, Note, uuid.UUID, Task | None] | None:
    """A live block with its note, the note's notebook owner and its live task, in one
    query: what a write to the block needs to check access and keep the task in sync (and
    the audience of its events, remembered for them)."""
    row = (await session.execute(_block_in_context(), {"block_id": block_id})).first()
    if row is None:
        return None
    audience.remember_note(session, row[1], row[2], row[4])
    return row[0], row[1], row[2], row[3]


async def live_block(session: AsyncSession, block_id: uuid.UUID) -> Block | None:
    return await session.scalar(select(Block).where(Block.id == block_id, Block.live()))


async def page_json(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    note_id: uuid.UUID | None,
    type: str | None,
    page: int,
    page_size: int,
) -> tuple[list[str], int]:
    """A page of live blocks (of one note, or of every note the user may read) as JSON texts
    in the response shape, and the total count."""
    conditions: list[ColumnElement[bool]] = [Block.live()]
    if note_id is not None:
        conditions.append(Block.note_id == note_id)
    else:
        readable = select(Note.id).where(Note.live(), readable_note_filter(user_id))
        conditions.append(Block.note_id.in_(readable))
    if type:
        conditions.append(Block.type == type)
    total = await session.scalar(select(func.count(Block.id)).where(*conditions))
    page_query = (
        select(BLOCK_JSON)
        .where(*conditions)
        .order_by(*ORDERING)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = await core_rows(session, page_query)
    return [text for (text,) in rows], int(total or 0)
