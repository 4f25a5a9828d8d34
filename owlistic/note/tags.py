"""What a tag is (the queries that read tags are in ``note/repository.py``).

Tags live in ``notes.tags`` (a JSON array, the contract's field): trimmed, lower case,
``#`` optional, ``/`` nests (``work/clients``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from owlistic.kit.errors import BadRequest
from owlistic.kit.schemas import SPACE_CLASS, component
from owlistic.settings import Settings

_SPACE = re.compile(r"\s+")
# Whitespace is collapsed and trimmed; a tag may not hold the list separator, controls or
# invisible formatting characters. Written out, not as Unicode categories, so the pattern
# means the same to every regular-expression engine reading the schema. (Lone surrogates are
# refused in every request already: ``kit.schemas``.)
_BANNED = (
    r",\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e"
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
)
# Optional leading spaces and ``#``s, then at least one character that is not a space or
# ``/`` (else nothing is left), and no ``#`` after the leading ones.
TAG_PATTERN = rf"^[{SPACE_CLASS}]*#*[^#{_BANNED}]*[^#/{SPACE_CLASS}{_BANNED}][^#{_BANNED}]*$"
_TAG = re.compile(TAG_PATTERN)

# A tag as a request sends it; the ``Tag`` component states the rules (``tag_schemas``).
TagText = Annotated[str, component("Tag")]
TagFilter = Annotated[str | None, component("Tag", nullable=True)]


def normalize_tag(raw: str, max_chars: int) -> str:
    if len(raw) > max_chars:
        raise BadRequest(f"a tag may have at most {max_chars} characters")
    if not _TAG.fullmatch(raw):
        raise BadRequest(
            f"tag {raw!r} is empty or holds ',', '#' (other than leading) or control characters"
        )
    parts = [_SPACE.sub(" ", p).strip() for p in raw.strip().lstrip("#").split("/")]
    return "/".join(p for p in parts if p).casefold()


def normalize_tags(raw: list[str], *, max_chars: int, max_count: int) -> list[str]:
    """Normalised, de-duplicated, in the order given."""
    if len(raw) > max_count:
        raise BadRequest(f"a note may have at most {max_count} tags")
    return list(dict.fromkeys(normalize_tag(t, max_chars) for t in raw))


def tag_schemas(settings: Settings) -> dict[str, Any]:
    """The ``Tag`` and ``NoteTags`` components of the OpenAPI schema (limits from settings)."""
    return {
        "Tag": {
            "type": "string",
            "maxLength": settings.tag_max_chars,
            "pattern": TAG_PATTERN,
            "description": "Trimmed and lower-cased; a leading # is dropped; / nests",
        },
        "NoteTags": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Tag"},
            "maxItems": settings.tags_per_note,
        },
    }
