"""The index rows of what a transaction wrote, refreshed in that transaction: at once
(``refresh_now``, what the indexer's handlers call) or once at the end of a bulk write
(``batched``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.index.rows import refresh

_BATCH = "owlistic.search.batch"


def batching(session: AsyncSession) -> bool:
    """Whether the session is inside ``batched`` (its refreshes wait for the end)."""
    return _BATCH in session.info


async def refresh_now(session: AsyncSession, **ids: list[uuid.UUID]) -> None:
    batch: dict[str, set[uuid.UUID]] | None = session.info.get(_BATCH)
    if batch is not None:
        for kind, some in ids.items():
            batch.setdefault(kind, set()).update(some)
        return
    await session.flush()  # the handler reads what the service just changed
    conn = await session.connection()
    await conn.run_sync(lambda sync_conn: refresh(sync_conn, **ids))


@asynccontextmanager
async def batched(session: AsyncSession) -> AsyncIterator[None]:
    """The events emitted inside refresh the index once, at the end, in bulk: for writes
    of thousands of blocks at once (a pasted document's projection, an import), where one
    flush and a few statements per event would dominate. Still in the writing transaction."""
    if _BATCH in session.info:  # already batching: the outer block refreshes
        yield
        return
    batch: dict[str, set[uuid.UUID]] = {}
    session.info[_BATCH] = batch
    try:
        yield
    finally:
        del session.info[_BATCH]
    if batch:
        await refresh_now(session, **{kind: list(ids) for kind, ids in batch.items()})
