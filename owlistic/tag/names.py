"""What a tag is: trimmed, lower case, ``#`` optional, ``/`` nests (``work/clients``)."""

from __future__ import annotations

import re

from owlistic.kit.errors import BadRequest

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
