from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import EmailStr, Field

from owlistic.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from owlistic.kit.schemas import InputSchema, Schema, TimeZoneName

Password = Field(
    min_length=MIN_PASSWORD_LENGTH,
    max_length=MAX_PASSWORD_LENGTH,
    description="A new password: long enough and not one of the most common passwords "
    "(refused with 422).",
)


class Register(InputSchema):
    email: EmailStr
    password: str = Password
    username: str | None = Field(None, max_length=150)
    display_name: str | None = Field(None, max_length=200)
    profile_pic: str | None = Field(None, max_length=2048)
    preferences: dict[str, Any] | None = None


class UserOut(Schema):
    id: uuid.UUID
    email: str
    username: str
    display_name: str
    profile_pic: str
    preferences: dict[str, Any] | None
    time_zone: str | None
    email_reminders: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class AdminUserOut(UserOut):
    """What an admin sees of an account they manage."""

    disabled_at: datetime | None


class UserPublic(Schema):
    """How one user sees another."""

    id: uuid.UUID
    username: str
    display_name: str
    profile_pic: str


class UserUpdate(InputSchema):
    """Present keys are applied (an empty string clears display name or picture)."""

    email: EmailStr | None = None
    username: str | None = Field(None, min_length=1, max_length=150)
    display_name: str | None = Field(None, max_length=200)
    profile_pic: str | None = Field(None, max_length=2048)
    preferences: dict[str, Any] | None = None
    # IANA name (null: the browser's); decides "today" and the zone of new tasks.
    time_zone: TimeZoneName | None = None
    email_reminders: bool | None = None
    # Changing the password here needs the current one too (the original did not ask).
    password: str | None = Field(
        None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH
    )
    current_password: str | None = None


class PasswordChange(InputSchema):
    current_password: str = Field(min_length=1)
    new_password: str = Password


class PasswordChanged(Schema):
    message: str
    token: str
