from __future__ import annotations

from typing import Any

from pydantic import EmailStr, Field

from owlistic.kit.schemas import InputSchema, Schema
from owlistic.user.schemas import Password


class Register(InputSchema):
    email: EmailStr
    password: str = Password
    username: str | None = Field(None, max_length=150)
    display_name: str | None = Field(None, max_length=200)
    profile_pic: str | None = Field(None, max_length=2048)
    preferences: dict[str, Any] | None = None


class Login(InputSchema):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class Tokens(Schema):
    """``token`` is what the original client reads; the rest is for OAuth-style clients."""

    token: str
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


class RefreshRequest(InputSchema):
    refresh_token: str = Field(min_length=1)


class LogoutRequest(InputSchema):
    refresh_token: str | None = None
