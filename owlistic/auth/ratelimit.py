"""Fixed-window counters in the database, so every server process counts the same hits."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import case, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from owlistic.kit.db import Database
from owlistic.kit.errors import TooManyRequests
from owlistic.models import RateLimitCounter


@dataclass(frozen=True)
class Limit:
    key: str  # e.g. "login:address:203.0.113.9"
    limit: int


async def hit(db: Database, limits: list[Limit], window_seconds: int) -> None:
    """Counts one attempt against each limit; raises ``TooManyRequests`` when one is over.

    Its own short transaction: the count stays even when the request then fails."""
    now = time.time()
    window = int(now // window_seconds)
    insert = sqlite_insert if db.is_sqlite else pg_insert
    over = False
    async with db.session() as session:
        for item in limits:
            table = RateLimitCounter.__table__
            upsert = insert(RateLimitCounter).values(key=item.key, window=window, hits=1)
            statement = upsert.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "hits": case(
                        (table.c.window == window, table.c.hits + 1),
                        else_=1,
                    ),
                    "window": window,
                },
            ).returning(table.c.hits)
            hits = (await session.execute(statement)).scalar_one()
            over = over or hits > item.limit
    if over:
        retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
        raise TooManyRequests("too many attempts; try again later", retry_after=retry_after)


async def prune(db: Database, window_seconds: int) -> int:
    """Counters of past windows count nothing any more."""
    window = int(time.time() // window_seconds)
    async with db.session() as session:
        result = await session.execute(
            delete(RateLimitCounter).where(RateLimitCounter.window < window)
        )
    return int(getattr(result, "rowcount", 0) or 0)
