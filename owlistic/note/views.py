"""A note in its response shape (``NoteOut``) as JSON text, for the hot read paths.

Opening a note or listing a notebook returns hundreds to thousands of blocks; their JSON is
made by the database (``block.repository.BLOCK_JSON``) and spliced in here unparsed.
"""

from __future__ import annotations

import json

from pydantic_core import to_json

from owlistic.kit.shapes import sql_json, values_of
from owlistic.kit.sqljson import json_array
from owlistic.models import Note
from owlistic.note.schemas import NoteOut

# ``NoteOut`` without the fields ``with_blocks`` appends.
SPLICED = ("blocks", "role")
NOTE_JSON = sql_json(NoteOut, Note, exclude=SPLICED)


def with_blocks(note_json: str, blocks: list[str], role: str | None) -> str:
    """Completes a note object (JSON text without ``blocks`` and ``role``)."""
    return f'{note_json[:-1]},"blocks":{json_array(blocks)},"role":{json.dumps(role)}}}'


def note_json(note: Note) -> str:
    """``NOTE_JSON`` of a loaded note, written by pydantic-core (same rendering)."""
    return to_json(values_of(NoteOut, note, exclude=SPLICED)).decode()
