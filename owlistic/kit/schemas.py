from __future__ import annotations

import re
from typing import Annotated, Any

import email_validator
from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema, model_validator

# A self-hosted server often lives on an internal domain (.local, .test, .localhost): accept
# addresses there, as the OpenAPI "email" format does; the syntax is still checked.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()

NUL_MESSAGE = "text cannot contain NUL (\\u0000) characters or lone surrogates (\\ud800-\\udfff)"
# NUL: PostgreSQL cannot store it in text or jsonb. A lone surrogate (JSON allows "\ud800")
# is no character at all: it cannot be encoded as UTF-8 by either database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def contains_nul(value: object) -> bool:
    """Whether any string (or object key) in a decoded JSON value holds a NUL character or
    a lone surrogate. Iterative: depth costs no stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _no_nul(value: str | None) -> str | None:
    if value is not None and _UNSTORABLE.search(value):
        raise ValueError(NUL_MESSAGE)
    return value


# A free-text query parameter that reaches the database (filters).
QueryText = Annotated[
    str | None,
    AfterValidator(_no_nul),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": "^[^\\u0000]*$"}, {"type": "null"}]}),
]


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
        # Only in what is kept: unknown keys are ignored, whatever they hold.
        kept = (
            {k: v for k, v in data.items() if k in cls.model_fields}
            if isinstance(data, dict)
            else data
        )
        if contains_nul(kept):
            raise ValueError(NUL_MESSAGE)
        return data


class ErrorBody(BaseModel):
    error: str


class Message(BaseModel):
    message: str
