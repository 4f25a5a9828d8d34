"""Link targets in block formatting (``spans[].href``): only schemes no client runs code from."""

from __future__ import annotations

import re
from typing import Any

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers ignore ASCII whitespace and control characters in a scheme ("java\tscript:").
_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
LINK_MESSAGE = "link href and src must be http(s), mailto, or a relative or in-app link"


def unsafe_href(href: object) -> bool:
    if not isinstance(href, str):
        return False
    match = _SCHEME.match(_IGNORED.sub("", href).lower())
    return match is not None and match.group(1) not in SAFE_SCHEMES


def has_unsafe_link(*holders: dict[str, Any] | None) -> bool:
    """Whether a block's ``metadata`` or ``content`` (older data) has an unsafe link span or
    an unsafe ``src`` (picture and file blocks)."""
    for holder in holders:
        if isinstance(holder, dict) and unsafe_href(holder.get("src")):
            return True
        spans = holder.get("spans") if isinstance(holder, dict) else None
        if isinstance(spans, list) and any(
            isinstance(s, dict) and unsafe_href(s.get("href")) for s in spans
        ):
            return True
    return False
