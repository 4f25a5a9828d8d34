from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

NUL_MESSAGE = "text cannot contain NUL (\\u0000) characters"


def contains_nul(value: object) -> bool:
    """Whether any string (or object key) in a decoded JSON value holds a NUL character,
    which PostgreSQL cannot store in text or jsonb. Iterative: depth costs no stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return value


# A free-text query parameter that reaches the database (filters).
QueryText = Annotated[str | None, AfterValidator(_no_nul)]


class Schema(BaseModel):
    """Base for response shapes read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Base for request bodies: unknown keys are ignored, as the original clients send extras."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _reject_nul(cls, data: Any) -> Any:
        # Otherwise SQLite stores it and PostgreSQL fails with a 500: refuse it on both.
        if contains_nul(data):
            raise ValueError(NUL_MESSAGE)
        return data


class ErrorBody(BaseModel):
    error: str


class Message(BaseModel):
    message: str
