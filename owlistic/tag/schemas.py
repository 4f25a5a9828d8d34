from __future__ import annotations

from pydantic import Field

from owlistic.kit.schemas import InputSchema, Schema


class TagOut(Schema):
    name: str
    count: int


class TagRename(InputSchema):
    """Renames ``from`` (and the tags nested under it) to ``to``; when ``to`` exists already
    on a note, the two merge."""

    from_: str = Field(alias="from", max_length=1000)
    to: str = Field(max_length=1000)


class TagRenamed(Schema):
    name: str
    notes: int
