from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, EmailStr, Field, model_validator

from owlistic.kit.schemas import InputSchema, Schema

GrantableRole = Literal["viewer", "editor"]


class RoleOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    resource_id: uuid.UUID
    resource_type: str
    role: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class RoleAssign(InputSchema):
    """Grant ``role`` on a note or notebook to a user named by id or email."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["user_id"], "properties": {"user_id": {"type": "string"}}},
                {"required": ["email"], "properties": {"email": {"type": "string"}}},
            ]
        }
    )

    user_id: uuid.UUID | None = None
    email: EmailStr | None = None
    resource_id: uuid.UUID
    resource_type: Literal["note", "notebook"]
    role: GrantableRole

    @model_validator(mode="after")
    def _someone(self) -> RoleAssign:
        if self.user_id is None and self.email is None:
            raise ValueError("give user_id or email")
        return self


class RoleAssigned(Schema):
    message: str
    id: uuid.UUID
    user_id: uuid.UUID
    resource_id: uuid.UUID
    resource_type: str
    role: str


class ShareRequest(InputSchema):
    email: EmailStr
    role: GrantableRole = Field(description="viewer (read-only) or editor")


class ShareOut(Schema):
    user_id: uuid.UUID
    email: str
    username: str
    display_name: str
    role: str
