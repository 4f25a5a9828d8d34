"""What happens to blocks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from owlistic.events.domain import DomainEvent
from owlistic.models import Block


@dataclass(frozen=True, kw_only=True)
class BlockEvent(DomainEvent):
    block_id: uuid.UUID
    note_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class BlockChanged(BlockEvent):
    """The block's state after the change. ``text_changed`` is False when the writer knows
    the content is as before (a task ticked off changes only metadata): the search index
    then has nothing to refresh."""

    block_type: str
    order: float
    content: dict[str, Any]
    metadata: dict[str, Any]
    updated_at: datetime
    text_changed: bool = True

    @classmethod
    def of(cls, block: Block, *, text_changed: bool = True) -> Self:
        return cls(
            block_id=block.id,
            note_id=block.note_id,
            user_id=block.user_id,
            block_type=block.type,
            order=block.order,
            content=block.content,
            metadata=block.meta,
            updated_at=block.updated_at,
            text_changed=text_changed,
        )


@dataclass(frozen=True, kw_only=True)
class BlockCreated(BlockChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class BlockUpdated(BlockChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class BlockDeleted(BlockEvent):
    @classmethod
    def of(cls, block: Block) -> Self:
        return cls(block_id=block.id, note_id=block.note_id, user_id=block.user_id)
