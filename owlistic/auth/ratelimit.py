"""Fixed-window counters in the database, so every server process counts the same hits."""

from __future__ import annotations

import time
from dataclasses import dataclass

from owlistic.auth import repository
from owlistic.kit.db import Database
from owlistic.kit.errors import TooManyRequests


@dataclass(frozen=True)
class Limit:
    key: str  # e.g. "login:address:203.0.113.9"
    limit: int


async def hit(db: Database, limits: list[Limit], window_seconds: int) -> None:
    """Counts one attempt against each limit; raises ``TooManyRequests`` when one is over.

    Its own short transaction: the count stays even when the request then fails."""
    now = time.time()
    window = int(now // window_seconds)
    over = False
    async with db.session() as session:
        for item in limits:
            over = await repository.count_hit(session, item.key, window) > item.limit or over
    if over:
        retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
        raise TooManyRequests("too many attempts; try again later", retry_after=retry_after)


async def prune(db: Database, window_seconds: int) -> int:
    """Counters of past windows count nothing any more."""
    async with db.session() as session:
        return await repository.prune_rate_counters(
            session, before_window=int(time.time() // window_seconds)
        )
