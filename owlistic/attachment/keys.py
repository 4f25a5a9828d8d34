"""Where a blob and its preview live in the store (derived from the content's SHA-256 only), and
the URL path of an attachment's content."""

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


ATTACHMENTS_PATH = "/api/v1/attachments"
_CONTENT_PATH = re.compile(rf"^{re.escape(ATTACHMENTS_PATH)}/([0-9a-fA-F-]{{36}})(?:[?#].*)?$")


def attachment_path(attachment_id: str) -> str:
    """The URL path of an attachment's content: what picture and file nodes point at."""
    return f"{ATTACHMENTS_PATH}/{attachment_id}"


def attachment_of_path(src: str) -> str | None:
    """The attachment id in such a path, or None for any other address."""
    match = _CONTENT_PATH.match(src)
    return match.group(1).lower() if match else None
