from __future__ import annotations

from pydantic import Field

from owlistic.kit.schemas import InputSchema, Schema


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
