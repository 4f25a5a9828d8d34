from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import note_audience, note_for, readable_note_filter
from owlistic.block import repository
from owlistic.block.schemas import BlockCreate, BlockUpdate
from owlistic.events.payloads import block_event
from owlistic.kit.errors import NotFound
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note
from owlistic.task import sync


def _with_sync_markers(metadata: dict[str, object], block_id: uuid.UUID) -> dict[str, object]:
    # The original server tags client-supplied metadata this way; its client relies on it.
    return {**metadata, "_sync_source": "block", "block_id": str(block_id)}


class BlockService:
    async def list(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        note_id: uuid.UUID | None,
        type: str | None,
        page: int,
        page_size: int,
    ) -> tuple[list[Block], int]:
        query = select(Block).where(Block.deleted_at.is_(None))
        if note_id is not None:
            await note_for(session, user_id, note_id, Rank.VIEWER)
            query = query.where(Block.note_id == note_id)
        else:
            readable = select(Note.id).where(
                Note.deleted_at.is_(None), readable_note_filter(user_id)
            )
            query = query.where(Block.note_id.in_(readable))
        if type:
            query = query.where(Block.type == type)
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await session.scalars(
            query.order_by(*repository.ORDERING).offset((page - 1) * page_size).limit(page_size)
        )
        return list(rows), int(total or 0)

    async def _editable(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        block_id: uuid.UUID,
        minimum: Rank,
        verb: str,
    ) -> tuple[Block, Note]:
        block = await repository.live_block(session, block_id)
        if block is None:
            raise NotFound("Block not found")
        try:
            note, _ = await note_for(session, user_id, block.note_id, minimum, verb=verb)
        except NotFound:
            raise NotFound("Block not found") from None
        return block, note

    async def get(self, session: AsyncSession, user_id: uuid.UUID, block_id: uuid.UUID) -> Block:
        block, _ = await self._editable(session, user_id, block_id, Rank.VIEWER, "access")
        return block

    async def create(self, session: AsyncSession, user_id: uuid.UUID, body: BlockCreate) -> Block:
        note, _ = await note_for(session, user_id, body.note_id, Rank.EDITOR, verb="add blocks to")
        block_id = uuid.uuid4()
        order = (
            body.order if body.order is not None else await repository.next_order(session, note.id)
        )
        metadata = _with_sync_markers(body.metadata, block_id) if body.metadata is not None else {}
        block = Block(
            id=block_id,
            user_id=user_id,
            note_id=note.id,
            type=body.type,
            content=body.content,
            meta=metadata,
            order=order,
        )
        session.add(block)
        await session.flush()
        audience = await note_audience(session, note)
        await sync.block_to_task(session, block, audience)
        block_event(session, "block.created", block, audience)
        return block

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, block_id: uuid.UUID, body: BlockUpdate
    ) -> Block:
        block, note = await self._editable(session, user_id, block_id, Rank.EDITOR, "update")
        if body.content is not None:
            block.content = body.content
        if body.metadata is not None:
            block.meta = _with_sync_markers(body.metadata, block.id)
        if body.type is not None:
            block.type = body.type
        if body.order is not None:
            block.order = body.order
        block.updated_at = utcnow()
        await session.flush()
        audience = await note_audience(session, note)
        await sync.block_to_task(session, block, audience)
        block_event(session, "block.updated", block, audience)
        return block

    async def delete(self, session: AsyncSession, user_id: uuid.UUID, block_id: uuid.UUID) -> None:
        block, note = await self._editable(session, user_id, block_id, Rank.EDITOR, "delete")
        block.deleted_at, block.deleted_batch = utcnow(), uuid.uuid4()
        await session.flush()
        audience = await note_audience(session, note)
        await sync.block_deleted(session, block, audience)
        block_event(session, "block.deleted", block, audience)


block = BlockService()
