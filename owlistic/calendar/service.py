"""Secret feed URLs: create/rotate, revoke, resolve; the feed's version tag and content."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.calendar import repository
from owlistic.kit.errors import NotFound
from owlistic.kit.time import utcnow
from owlistic.settings import Settings

TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def rotate(session: AsyncSession, user_id: uuid.UUID) -> str:
    """A new token for the user; the previous URL stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await repository.replace(session, user_id, _digest(token))
    return token


async def revoke(session: AsyncSession, user_id: uuid.UUID) -> None:
    if not await repository.remove(session, user_id):
        raise NotFound("no calendar feed")


async def owner_of(session: AsyncSession, token: str) -> uuid.UUID:
    """The feed's user. The lookup is by the token's hash, so its time says nothing about
    how much of a guess was right; the final comparison is constant-time too."""
    digest = _digest(token)
    row = await repository.by_token_hash(session, digest)
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise NotFound("no such calendar feed")
    return row.user_id


async def etag(session: AsyncSession, user_id: uuid.UUID, settings: Settings) -> str:
    """Changes whenever a task the feed could show changes, appears or goes away: one
    aggregate query, so an unchanged feed is answered without building it."""
    count, latest = await repository.version(session, user_id)
    tag = hashlib.sha256(f"{count}|{latest}|{settings.calendar_name}".encode()).hexdigest()
    return f'"{tag[:32]}"'


# Building a big feed costs seconds (icalendar writes property by property), and calendar
# apps that ignore ETags fetch the same document again and again: the last document of each
# recently fetched feed is kept per process, valid while its ETag is current.
_BUILT: OrderedDict[uuid.UUID, tuple[str, bytes]] = OrderedDict()
BUILT_FEEDS_KEPT = 64


async def feed(session: AsyncSession, user_id: uuid.UUID, settings: Settings, tag: str) -> bytes:
    kept = _BUILT.get(user_id)
    if kept is not None and kept[0] == tag:
        _BUILT.move_to_end(user_id)
        return kept[1]
    body = await _build(session, user_id, settings)
    _BUILT[user_id] = (tag, body)
    if len(_BUILT) > BUILT_FEEDS_KEPT:
        _BUILT.popitem(last=False)
    return body


async def _build(session: AsyncSession, user_id: uuid.UUID, settings: Settings) -> bytes:
    # icalendar (~3 MiB) is loaded by the first feed a server builds, not by every server.
    from owlistic.calendar.feed import build_feed

    tasks = await repository.open_tasks(session, user_id, settings.calendar_feed_max_tasks)
    return build_feed(tasks, settings.calendar_name, utcnow())
