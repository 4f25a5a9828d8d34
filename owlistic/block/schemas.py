from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from owlistic.kit.schemas import InputSchema, Schema
from owlistic.kit.shapes import values_of
from owlistic.models import Block

MAX_TYPE_LENGTH = 20


def _content(value: object) -> object:
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
    content: dict[str, Any] = Field(default_factory=lambda: {"text": ""})
    metadata: dict[str, Any] | None = None
    order: float | None = Field(None, allow_inf_nan=False)

    _c = field_validator("content", mode="before")(_content)
    _o = field_validator("order", mode="before")(_order)


class BlockUpdate(InputSchema):
    """Only these keys are writable; the original wrote any column named in the body."""

    content: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    type: str | None = Field(None, min_length=1, max_length=MAX_TYPE_LENGTH)
    order: float | None = Field(None, allow_inf_nan=False)

    _c = field_validator("content", mode="before")(_content)
    _o = field_validator("order", mode="before")(_order)
