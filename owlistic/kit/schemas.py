from __future__ import annotations

import functools
import re
import typing
from typing import Annotated, Any

import email_validator
from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema, model_validator

from owlistic.kit.time import zone

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


def no_nul(value: str | None) -> str | None:
    if value is not None and _UNSTORABLE.search(value):
        raise ValueError(NUL_MESSAGE)
    return value


# A free-text query parameter that reaches the database (filters).
QueryText = Annotated[
    str | None,
    AfterValidator(no_nul),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": "^[^\\u0000]*$"}, {"type": "null"}]}),
]


# The characters ``str.isspace`` (so ``str.strip`` and ``\\s``) counts as whitespace, as a
# regular-expression class body every engine reads alike.
SPACE_CLASS = (
    r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000"
)


def component(name: str, *, nullable: bool = False) -> WithJsonSchema:
    """States a value's rules by reference to the OpenAPI component ``name``: its schema is
    added when the document is built (from the running settings where the rules are limits)."""
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
    # Wrapped: Pydantic would look a bare reference up among the models it generates.
    return WithJsonSchema({"anyOf": [ref, {"type": "null"}]} if nullable else {"allOf": [ref]})


def _known_zone(value: str) -> str:
    zone(value)
    return value


# An IANA time zone name; the ``TimeZone`` component lists them (``kit.time.zone_schema``).
TimeZoneName = Annotated[str, AfterValidator(_known_zone), component("TimeZone")]


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
        # Only in what is kept: unknown keys are ignored, whatever they hold, here and in
        # nested bodies (which check their own fields).
        kept = (
            {k: v for k, v in data.items() if k in cls.model_fields and k not in _nested(cls)}
            if isinstance(data, dict)
            else data
        )
        if contains_nul(kept):
            raise ValueError(NUL_MESSAGE)
        return data


@functools.cache
def _nested(model: type[InputSchema]) -> frozenset[str]:
    """The fields of ``model`` that hold request bodies of their own (``list[Item]`` too)."""

    def holds_body(annotation: Any) -> bool:
        if isinstance(annotation, type) and issubclass(annotation, InputSchema):
            return True
        return any(holds_body(arg) for arg in typing.get_args(annotation))

    return frozenset(
        name for name, field in model.model_fields.items() if holds_body(field.annotation)
    )


class ErrorBody(BaseModel):
    error: str


class Message(BaseModel):
    message: str
