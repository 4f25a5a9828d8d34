from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

# The zones the server accepts: the list of the tzdata package pinned with the server (not the
# machine's zone files), so the OpenAPI schema that states it is the same everywhere; each
# loads from the machine's files or, failing them, from that package.
ZONE_NAMES: tuple[str, ...] = tuple(
    sorted(resources.files("tzdata").joinpath("zones").read_text().split())
)
_ZONES = frozenset(ZONE_NAMES)


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ValueError (with a message for the client) otherwise."""
    if name not in _ZONES:
        raise ValueError(f"unknown time zone {name!r}")
    return ZoneInfo(name)


def _alternation(names: Iterable[str]) -> str:
    """One regular expression for exactly ``names``, sharing their leading path parts."""
    nested: defaultdict[str, list[str]] = defaultdict(list)
    for name in names:
        head, slash, rest = name.partition("/")
        nested[head + slash].append(rest)
    options = []
    for head, rests in sorted(nested.items()):
        escaped = head.replace("+", "\\+")
        if head.endswith("/"):
            options.append(f"{escaped}(?:{_alternation(rests)})")
        else:
            options.append(escaped)
    return "|".join(options)


def zone_schema() -> dict[str, Any]:
    """The ``TimeZone`` component of the OpenAPI schema."""
    return {
        "type": "string",
        "description": "An IANA time zone name, e.g. Europe/Paris (the tzdata list)",
        "pattern": f"^(?:{_alternation(ZONE_NAMES)})$",
    }
