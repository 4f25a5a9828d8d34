from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    Field,
    StrictBool,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from owlistic.block.schemas import CONTENT_SCHEMA, MAX_TYPE_LENGTH, BlockOut, content_of
from owlistic.kit.links import LINK_MESSAGE, has_unsafe_link
from owlistic.kit.schemas import InputSchema, Schema, component
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
    tags: Annotated[list[str], component("NoteTags")] | None = None
    pinned: StrictBool | None = None


class ImportedBlock(InputSchema):
    """A block of an imported note, in the note's order."""

    type: str = Field(min_length=1, max_length=MAX_TYPE_LENGTH)
    content: Annotated[dict[str, Any], WithJsonSchema(CONTENT_SCHEMA)] = Field(
        default_factory=lambda: {"text": ""}
    )
    metadata: dict[str, Any] | None = None

    _c = field_validator("content", mode="before")(content_of)

    @model_validator(mode="after")
    def _safe_links(self) -> ImportedBlock:
        if has_unsafe_link(self.metadata, self.content):
            raise ValueError(LINK_MESSAGE)
        return self


class ImportedNote(InputSchema):
    title: str = Field("", max_length=1000)
    tags: Annotated[list[str], component("NoteTags")] = Field(default_factory=list)
    # Dates kept from the imported file (front matter); now when absent.
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    @field_validator("created_at", "updated_at", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        # Pydantic would also take a number as seconds since 1970; the schema says a string.
        if value is not None and not isinstance(value, str):
            raise ValueError("must be an RFC 3339 date-time string")
        return value

    @field_validator("created_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        try:
            return None if value is None else value.astimezone(UTC)
        except OverflowError:  # 0001-01-01 or 9999-12-31 with an offset
            raise ValueError("date out of range") from None

    blocks: list[ImportedBlock] = Field(default_factory=list)


class NotesImport(InputSchema):
    """Many notes with their blocks, created in one transaction (Markdown import)."""

    notebook_id: uuid.UUID
    notes: list[ImportedNote] = Field(min_length=1)


class NotesImported(Schema):
    notes: list[NoteOut]
