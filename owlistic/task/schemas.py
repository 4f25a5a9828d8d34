from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field, JsonValue, StrictBool, field_validator

from owlistic.kit.schemas import InputSchema, Schema
from owlistic.models import Task

DUE_DATE_PATTERN = (
    r"^(|\d{4}-\d{2}-\d{2}"
    r"|\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)$"
)
_DUE_DATE = re.compile(DUE_DATE_PATTERN, re.ASCII)
DUE_DATE_FORMATS: list[JsonValue] = [
    {"type": "string", "maxLength": 0},
    {"type": "string", "format": "date"},
    {"type": "string", "format": "date-time"},
]
DUE_DATE_DESCRIPTION = "`YYYY-MM-DD`, an RFC 3339 date-time, or empty for none"


def normalize_due_date(value: object) -> object:
    """Accept ``YYYY-MM-DD`` or an RFC 3339 date-time; store it in ISO 8601."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ValueError("due_date must be a string")
    if not _DUE_DATE.fullmatch(value):
        raise ValueError("due_date must be YYYY-MM-DD or an RFC 3339 date-time")
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError as exc:
        raise ValueError("due_date must be YYYY-MM-DD or an RFC 3339 date-time") from exc


class TaskOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    note_id: uuid.UUID | None
    block_id: uuid.UUID | None
    title: str
    description: str
    is_completed: bool
    due_date: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        return cls(
            id=task.id,
            user_id=task.user_id,
            note_id=task.note_id,
            block_id=task.block_id,
            title=task.title,
            description=task.description,
            is_completed=task.is_completed,
            due_date=task.due_date,
            metadata=task.meta,
            created_at=task.created_at,
            updated_at=task.updated_at,
            deleted_at=task.deleted_at,
        )


class TaskCreate(InputSchema):
    title: str = Field("", max_length=1000)
    description: str = Field("", max_length=10_000)
    is_completed: StrictBool = False
    due_date: str = Field(
        "", description=DUE_DATE_DESCRIPTION, json_schema_extra={"anyOf": DUE_DATE_FORMATS}
    )
    note_id: uuid.UUID | None = None
    block_id: uuid.UUID | None = None

    _d = field_validator("due_date", mode="before")(normalize_due_date)


class TaskUpdate(InputSchema):
    title: str | None = Field(None, max_length=1000)
    description: str | None = Field(None, max_length=10_000)
    is_completed: StrictBool | None = None
    due_date: str | None = Field(
        None,
        description=DUE_DATE_DESCRIPTION,
        json_schema_extra={"anyOf": [*DUE_DATE_FORMATS, {"type": "null"}]},
    )
    metadata: dict[str, Any] | None = None

    _d = field_validator("due_date", mode="before")(normalize_due_date)
