from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from owlistic.kit.schemas import InputSchema, Schema
from owlistic.models import Notebook


class NotebookOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    description: str
    notes: None = None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    role: str | None = None

    @classmethod
    def of(cls, notebook: Notebook, role: str | None = None) -> NotebookOut:
        return cls(
            id=notebook.id,
            user_id=notebook.user_id,
            name=notebook.name,
            description=notebook.description,
            created_at=notebook.created_at,
            updated_at=notebook.updated_at,
            deleted_at=notebook.deleted_at,
            role=role,
        )


class NotebookCreate(InputSchema):
    name: str = Field("", max_length=500)
    description: str = Field("", max_length=10_000)


class NotebookUpdate(InputSchema):
    name: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=10_000)
