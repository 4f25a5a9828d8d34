"""What a tag is, and how queries read them.

Tags live in ``notes.tags`` (a JSON array, the contract's field): trimmed, lower case,
``#`` optional, ``/`` nests (``work/clients``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, literal_column, or_, select
from sqlalchemy.sql.selectable import TableValuedAlias

from owlistic.kit.errors import BadRequest
from owlistic.models import Note

_SPACE = re.compile(r"\s+")


def normalize_tag(raw: str, max_chars: int) -> str:
    parts = [_SPACE.sub(" ", p).strip() for p in raw.strip().lstrip("#").split("/")]
    tag = "/".join(p for p in parts if p).casefold()
    if not tag:
        raise BadRequest(f"tag {raw!r} is empty")
    if len(tag) > max_chars:
        raise BadRequest(f"a tag may have at most {max_chars} characters")
    if any(ch in tag for ch in ",#") or not tag.isprintable():
        raise BadRequest(f"tag {raw!r} may not contain ',', '#' or control characters")
    return tag


def normalize_tags(raw: list[str], *, max_chars: int, max_count: int) -> list[str]:
    """Normalised, de-duplicated, in the order given."""
    tags = list(dict.fromkeys(normalize_tag(t, max_chars) for t in raw))
    if len(tags) > max_count:
        raise BadRequest(f"a note may have at most {max_count} tags")
    return tags


def tag_elements(dialect: str) -> TableValuedAlias:
    """The tags of the ``notes`` row in scope, one row each (column ``value``). Notes written
    before tags were settable hold JSON ``null``, which neither engine can iterate."""
    column: Any = Note.tags
    if dialect == "sqlite":
        safe = case((func.json_type(column) == "array", column), else_=literal("[]"))
        return func.json_each(safe).table_valued("value")
    safe = case((func.jsonb_typeof(column) == "array", column), else_=literal_column("'[]'::jsonb"))
    return func.jsonb_array_elements_text(safe).table_valued("value").render_derived()


def matches_tag(value: Any, tag: str) -> ColumnElement[bool]:
    """The tag itself or one nested under it (``work`` matches ``work/clients``)."""
    return or_(value == tag, value.startswith(tag + "/", autoescape=True))


def has_tag(dialect: str, tag: str) -> ColumnElement[bool]:
    elements = tag_elements(dialect)
    return exists(select(1).select_from(elements).where(matches_tag(elements.c.value, tag)))
