"""Tags live in ``notes.tags`` (a JSON array, the contract's field); queries read its elements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, literal_column, or_, select
from sqlalchemy.sql.selectable import TableValuedAlias

from owlistic.models import Note


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
