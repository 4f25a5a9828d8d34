from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Base for response shapes read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Base for request bodies: unknown keys are ignored, as the original clients send extras."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class ErrorBody(BaseModel):
    error: str


class Message(BaseModel):
    message: str
