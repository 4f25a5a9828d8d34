"""A response shape is written once, as its Pydantic schema. The database's JSON builder
(``kit/sqljson.py``) and the copy of an ORM row into the schema are derived from the
schema's fields, in their order; ``tests/api/test_read_json.py`` checks that both paths
render the same values on both databases."""

from __future__ import annotations

import types
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import ColumnElement

from owlistic.kit.sqljson import json_bool, json_float, json_object, json_value, utc_text, uuid_text

NO_COLUMNS: Mapping[str, str] = {}


def _plain(annotation: Any) -> Any:
    """``X | None`` -> ``X``; a generic alias -> its origin (``dict[str, Any]`` -> dict)."""
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [a for a in get_args(annotation) if a is not type(None)]
    return get_origin(annotation) or annotation


def _rendered(column: ColumnElement[Any], annotation: Any) -> ColumnElement[Any]:
    kind = _plain(annotation)
    if kind is uuid.UUID:
        return uuid_text(column)
    if kind is datetime:
        return utc_text(column)
    if kind is float:
        return json_float(column)
    if kind is bool:
        return json_bool(column)
    if kind in (dict, list):
        return json_value(column)
    return column


def _fields(schema: type[BaseModel], exclude: Collection[str]) -> list[tuple[str, Any]]:
    return [(n, f.annotation) for n, f in schema.model_fields.items() if n not in exclude]


def sql_json(
    schema: type[BaseModel],
    model: type[Any],
    *,
    columns: Mapping[str, str] = NO_COLUMNS,
    exclude: Collection[str] = (),
) -> json_object:
    """``schema``'s object as JSON text built by the database from ``model``'s columns
    (``columns`` maps a field to a differently named attribute)."""
    return json_object(
        *(
            (name, _rendered(getattr(model, columns.get(name, name)), annotation))
            for name, annotation in _fields(schema, exclude)
        )
    )


def values_of(
    schema: type[BaseModel],
    row: object,
    *,
    columns: Mapping[str, str] = NO_COLUMNS,
    exclude: Collection[str] = (),
) -> dict[str, Any]:
    """``schema``'s fields read from a loaded ``row``."""
    return {name: getattr(row, columns.get(name, name)) for name, _ in _fields(schema, exclude)}
