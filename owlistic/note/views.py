"""A note in its response shape (``NoteOut``) as JSON text, for the hot read paths.

Opening a note or listing a notebook returns hundreds to thousands of blocks; their JSON is
made by the database (``block.repository.BLOCK_JSON``) and spliced in here unparsed.
"""

from __future__ import annotations

import json

from pydantic_core import to_json

from owlistic.kit.sqljson import json_array, json_bool, json_object, json_value, utc_text, uuid_text
from owlistic.models import Note

NOTE_JSON = json_object(
    ("id", uuid_text(Note.id)),
    ("user_id", uuid_text(Note.user_id)),
    ("notebook_id", uuid_text(Note.notebook_id)),
    ("title", Note.title),
    ("tags", json_value(Note.tags)),
    ("pinned", json_bool(Note.pinned)),
    ("created_at", utc_text(Note.created_at)),
    ("updated_at", utc_text(Note.updated_at)),
    ("deleted_at", utc_text(Note.deleted_at)),
)


def with_blocks(note_json: str, blocks: list[str], role: str | None) -> str:
    """Completes a note object (JSON text without ``blocks`` and ``role``)."""
    return f'{note_json[:-1]},"blocks":{json_array(blocks)},"role":{json.dumps(role)}}}'


def note_json(note: Note) -> str:
    """``NOTE_JSON`` of a loaded note, written by pydantic-core (same rendering)."""
    fields = {
        "id": note.id,
        "user_id": note.user_id,
        "notebook_id": note.notebook_id,
        "title": note.title,
        "tags": note.tags,
        "pinned": note.pinned,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "deleted_at": note.deleted_at,
    }
    return to_json(fields).decode()
