"""JSON built by the database, for read paths that return thousands of rows.

Listing a notebook's notes returns every block of every note. Turning each row into Python
objects (UUIDs, datetimes, decoded JSON) and back into JSON cost ~60 us per block; SQLite's
``json_object`` and PostgreSQL's ``json_build_object`` do it in C. The expressions here
render values exactly as the Pydantic schemas do (dashed UUIDs, ``...Z`` timestamps without
a zero fraction, floats that read back to the same double), which a test checks on both
databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class _Text(FunctionElement[str]):
    """A one-argument expression whose SQL depends on the dialect; the result is text."""

    type = String()
    inherit_cache = True


class uuid_text(_Text):  # noqa: N801 (reads like the SQL function it stands for)
    """A UUID column as its dashed lowercase text."""

    inherit_cache = True


class utc_text(_Text):  # noqa: N801
    """A UTC timestamp column as ISO 8601 with ``Z``; the fraction only when non-zero."""

    inherit_cache = True


class json_value(_Text):  # noqa: N801
    """A JSON column, to be embedded as JSON (not as a string) in ``json_object``."""

    inherit_cache = True


class json_float(_Text):  # noqa: N801
    """A float column, to be embedded as a JSON number that reads back to the same double."""

    inherit_cache = True


class json_bool(_Text):  # noqa: N801
    """A boolean column as JSON ``true``/``false`` (SQLite stores 1/0)."""

    inherit_cache = True


class json_object(FunctionElement[str]):  # noqa: N801
    """``{"key": value, ...}`` as JSON text; keys are constants of our code."""

    type = String()
    # The keys are part of the SQL, so part of the compiled-statement cache key too.
    _traverse_internals = [
        *FunctionElement._traverse_internals,
        ("keys", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, *pairs: tuple[str, ColumnElement[Any] | Any]) -> None:
        self.keys = tuple(key for key, _ in pairs)
        super().__init__(*(value for _, value in pairs))


def _arg(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> str:
    (argument,) = element.clauses
    return compiler.process(argument, **kw)


@compiles(uuid_text, "sqlite")
def _uuid_sqlite(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UUIDs as 32 lowercase hex digits.
    x = _arg(compiler, element, **kw)
    groups = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    return " || '-' || ".join(f"substr({x}, {start}, {length})" for start, length in groups)


@compiles(uuid_text, "postgresql")
def _uuid_postgresql(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_arg(compiler, element, **kw)} AS TEXT)"


@compiles(utc_text, "sqlite")
def _utc_sqlite(element: utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored naive in UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'.
    x = _arg(compiler, element, **kw)
    return f"replace(replace({x}, ' ', 'T') || 'Z', '.000000Z', 'Z')"


@compiles(utc_text, "postgresql")
def _utc_postgresql(element: utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    x = _arg(compiler, element, **kw)
    text = f"""to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    return f"replace({text}, '.000000Z', 'Z')"


@compiles(json_value, "sqlite")
def _json_sqlite(element: json_value, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json({_arg(compiler, element, **kw)})"


@compiles(json_value, "postgresql")
def _json_postgresql(element: json_value, compiler: SQLCompiler, **kw: Any) -> str:
    return _arg(compiler, element, **kw)


@compiles(json_float, "sqlite")
def _float_sqlite(element: json_float, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's own rendering keeps 15 digits, which can change the value; 17 never does.
    return f"json(printf('%!.17g', {_arg(compiler, element, **kw)}))"


@compiles(json_float, "postgresql")
def _float_postgresql(element: json_float, compiler: SQLCompiler, **kw: Any) -> str:
    return _arg(compiler, element, **kw)  # PostgreSQL prints the shortest exact form


@compiles(json_bool, "sqlite")
def _bool_sqlite(element: json_bool, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json(CASE WHEN {_arg(compiler, element, **kw)} THEN 'true' ELSE 'false' END)"


@compiles(json_bool, "postgresql")
def _bool_postgresql(element: json_bool, compiler: SQLCompiler, **kw: Any) -> str:
    return _arg(compiler, element, **kw)


def _object(function: str, element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    values = [compiler.process(value, **kw) for value in element.clauses]
    pairs = ", ".join(f"'{key}', {value}" for key, value in zip(element.keys, values, strict=True))
    return f"{function}({pairs})"


@compiles(json_object, "sqlite")
def _object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return _object("json_object", element, compiler, **kw)


@compiles(json_object, "postgresql")
def _object_postgresql(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_object('json_build_object', element, compiler, **kw)} AS TEXT)"


def json_array(items: list[str]) -> str:
    """A JSON array of JSON texts."""
    return "[" + ",".join(items) + "]"
