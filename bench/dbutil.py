"""Small database helpers the scenarios share (statistics, plans, outbox counts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from owlistic.events.repository import PENDING
from owlistic.models import OutboxEvent


async def analyze(engine: AsyncEngine) -> None:
    """PostgreSQL: refresh planner statistics after a bulk load, as autovacuum soon would.

    SQLite is left as the server leaves it (the server never runs ANALYZE)."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))


# The server's own "pending" condition, written as the partial index ix_events_pending is
# defined, so these probes read only the pending rows: the bench polls while it measures,
# and a count that scanned the whole outbox took the database's CPU from the relay.
async def pending_events(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count()).select_from(OutboxEvent).where(PENDING))
    return int(count or 0)


async def any_pending(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(literal(1)).select_from(OutboxEvent).where(PENDING).limit(1)
        )
    return found is not None


async def plan(engine: AsyncEngine, query: Select[Any]) -> list[str]:
    """The engine's plan for ``query`` (PostgreSQL: executed, with timings and buffers)."""
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    if engine.dialect.name == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)"
    else:
        prefix = "EXPLAIN QUERY PLAN"
    async with engine.connect() as conn:
        rows = (await conn.exec_driver_sql(f"{prefix} {sql}")).all()
    if engine.dialect.name == "postgresql":
        return [str(r[0]) for r in rows]
    return [str(r[-1]) for r in rows]
