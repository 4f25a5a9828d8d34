from __future__ import annotations

from pydantic import Field

from owlistic.kit.schemas import InputSchema, Schema
from owlistic.note.tags import TagText


class TagOut(Schema):
    name: str
    count: int


class TagRename(InputSchema):
    """Renames ``from`` (and the tags nested under it) to ``to``; when ``to`` exists already
    on a note, the two merge."""

    from_: TagText = Field(alias="from")
    to: TagText


class TagRenamed(Schema):
    name: str
    notes: int
