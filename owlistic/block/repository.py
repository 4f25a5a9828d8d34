from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import Block

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


async def next_order(session: AsyncSession, note_id: uuid.UUID) -> float:
    highest = await session.scalar(
        select(func.max(Block.order)).where(Block.note_id == note_id, Block.deleted_at.is_(None))
    )
    return (highest or 0.0) + ORDER_STEP


async def live_block(session: AsyncSession, block_id: uuid.UUID) -> Block | None:
    return await session.scalar(
        select(Block).where(Block.id == block_id, Block.deleted_at.is_(None))
    )
