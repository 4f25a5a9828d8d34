"""Where a blob and its preview live in the store: derived from the content's SHA-256 only."""

from __future__ import annotations

import re

BLOBS = "blobs/"
PREVIEWS = "previews/"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def blob_key(sha256: str) -> str:
    return f"{BLOBS}{sha256[:2]}/{sha256}"


def preview_key(sha256: str) -> str:
    return f"{PREVIEWS}{sha256[:2]}/{sha256}"


def sha_of(key: str) -> str | None:
    """The digest a stored key belongs to, or None for something that is not ours."""
    name = key.rsplit("/", 1)[-1]
    return name if _SHA256.fullmatch(name) else None
