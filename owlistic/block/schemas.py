from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from owlistic.kit.links import LINK_MESSAGE, has_unsafe_link
from owlistic.kit.schemas import InputSchema, Schema
from owlistic.kit.shapes import values_of
from owlistic.models import Block

MAX_TYPE_LENGTH = 20
# A bare string is accepted too and means {"text": ...} (the original Postman collection).
CONTENT_SCHEMA = {
    "anyOf": [{"type": "object", "additionalProperties": True}, {"type": "string"}],
    "description": "Block content; links in `spans` must be http(s), mailto or relative",
}


def content_of(value: object) -> object:
    # The original Postman collection sends a bare string; it means {"text": ...}.
    if isinstance(value, str):
        return {"text": value}
    return value


def _order(value: object) -> object:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


class BlockOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    note_id: uuid.UUID
    type: str
    content: dict[str, Any]
    metadata: dict[str, Any]
    order: float
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, block: Block) -> BlockOut:
        return cls(**values_of(cls, block, columns=BLOCK_COLUMNS))


# Fields whose model attribute has another name (``metadata`` is reserved by SQLAlchemy).
BLOCK_COLUMNS = {"metadata": "meta"}


class BlockCreate(InputSchema):
    note_id: uuid.UUID
    type: str = Field(min_length=1, max_length=MAX_TYPE_LENGTH)
    content: Annotated[dict[str, Any], WithJsonSchema(CONTENT_SCHEMA)] = Field(
        default_factory=lambda: {"text": ""}
    )
    metadata: dict[str, Any] | None = None
    order: float | None = Field(None, allow_inf_nan=False)

    _c = field_validator("content", mode="before")(content_of)
    _o = field_validator("order", mode="before")(_order)

    @model_validator(mode="after")
    def _safe_links(self) -> BlockCreate:
        if has_unsafe_link(self.metadata, self.content):
            raise ValueError(LINK_MESSAGE)
        return self


class BlockUpdate(InputSchema):
    """Only these keys are writable; the original wrote any column named in the body."""

    content: Annotated[dict[str, Any] | None, WithJsonSchema(CONTENT_SCHEMA)] = None
    metadata: dict[str, Any] | None = None
    type: str | None = Field(None, min_length=1, max_length=MAX_TYPE_LENGTH)
    order: float | None = Field(None, allow_inf_nan=False)

    _c = field_validator("content", mode="before")(content_of)
    _o = field_validator("order", mode="before")(_order)

    @model_validator(mode="after")
    def _safe_links(self) -> BlockUpdate:
        if has_unsafe_link(self.metadata, self.content):
            raise ValueError(LINK_MESSAGE)
        return self
