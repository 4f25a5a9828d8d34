from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import check_note, note_for
from owlistic.block import repository
from owlistic.block.events import BlockCreated, BlockDeleted, BlockUpdated
from owlistic.block.links import links
from owlistic.block.schemas import BlockCreate, BlockUpdate
from owlistic.events.outbox import emit
from owlistic.kit.errors import NotFound
from owlistic.kit.sqljson import json_array
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Task


def with_sync_markers(metadata: dict[str, object], block_id: uuid.UUID) -> dict[str, object]:
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
    ) -> tuple[str, int]:
        """A page of blocks as a JSON array in the response shape, and the total count."""
        if note_id is not None:
            await note_for(session, user_id, note_id, Rank.VIEWER)
        texts, total = await repository.page_json(
            session, user_id, note_id=note_id, type=type, page=page, page_size=page_size
        )
        return json_array(texts), total

    async def _editable(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        block_id: uuid.UUID,
        minimum: Rank,
        verb: str,
    ) -> tuple[Block, Note, Task | None]:
        """The block, its note and its linked task, if the caller has ``minimum`` on it."""
        found = await repository.live_block_in_context(session, block_id)
        if found is None or found[1].deleted_at is not None:
            raise NotFound("Block not found")
        block, note, notebook_owner, task = found
        try:
            await check_note(session, user_id, note, notebook_owner, minimum, verb=verb)
        except NotFound:
            raise NotFound("Block not found") from None
        return block, note, task

    async def get(self, session: AsyncSession, user_id: uuid.UUID, block_id: uuid.UUID) -> Block:
        block, _, _ = await self._editable(session, user_id, block_id, Rank.VIEWER, "access")
        return block

    async def create(self, session: AsyncSession, user_id: uuid.UUID, body: BlockCreate) -> Block:
        note, _ = await note_for(
            session, user_id, body.note_id, Rank.EDITOR, verb="add blocks to", for_events=True
        )
        block_id = uuid.uuid4()
        order = (
            body.order if body.order is not None else await repository.next_order(session, note.id)
        )
        metadata = with_sync_markers(body.metadata, block_id) if body.metadata is not None else {}
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
        await links().block_written(session, block, None)  # a new block has no task yet
        await emit(session, BlockCreated.of(block))
        return block

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, block_id: uuid.UUID, body: BlockUpdate
    ) -> Block:
        block, _, task = await self._editable(session, user_id, block_id, Rank.EDITOR, "update")
        text_changed = body.content is not None and body.content != block.content
        if body.content is not None:
            block.content = body.content
        if body.metadata is not None:
            block.meta = with_sync_markers(body.metadata, block.id)
        if body.type is not None:
            block.type = body.type
        if body.order is not None:
            block.order = body.order
        block.updated_at = utcnow()
        await session.flush()
        await links().block_written(session, block, task)
        await emit(session, BlockUpdated.of(block, text_changed=text_changed))
        return block

    async def delete(self, session: AsyncSession, user_id: uuid.UUID, block_id: uuid.UUID) -> None:
        block, _, task = await self._editable(session, user_id, block_id, Rank.EDITOR, "delete")
        block.stamp(utcnow(), uuid.uuid4())
        await session.flush()
        await links().block_deleted(session, block, task)
        await emit(session, BlockDeleted.of(block))


block = BlockService()
