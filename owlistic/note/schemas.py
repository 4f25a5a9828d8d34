from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, StrictBool

from owlistic.block.schemas import BlockOut
from owlistic.kit.schemas import InputSchema, Schema
from owlistic.kit.shapes import values_of
from owlistic.models import Block, Note


class NoteOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    notebook_id: uuid.UUID
    title: str
    blocks: list[BlockOut] | None
    tags: list[str] | None
    pinned: bool = False
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    role: str | None = None

    @classmethod
    def of(cls, note: Note, blocks: list[Block] | None, role: str | None = None) -> NoteOut:
        return cls(
            **values_of(cls, note, exclude=("blocks", "role")),
            blocks=None if blocks is None else [BlockOut.of(b) for b in blocks],
            role=role,
        )


class NoteCreate(InputSchema):
    notebook_id: uuid.UUID
    title: str = Field("", max_length=1000)


class NoteUpdate(InputSchema):
    title: str | None = Field(None, max_length=1000)
    notebook_id: uuid.UUID | None = None
    # Replaces the note's tags (normalised: see ``note.tags``).
    tags: list[str] | None = Field(None, max_length=1000)
    pinned: StrictBool | None = None
