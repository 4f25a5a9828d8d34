"""Reading a test database's reminder records directly (the servers are other processes)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from owlistic.models import OutboxEvent, Reminder


@asynccontextmanager
async def engine_for(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def reminder_rows(engine: AsyncEngine, task_ids: list[str]) -> list[Any]:
    """(task_id, status, late) of every reminder of these tasks."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Reminder.task_id, Reminder.status, Reminder.late).where(
                Reminder.task_id.in_([uuid.UUID(t) for t in task_ids])
            )
        )
        return list(rows)


async def reminder_event_counts(engine: AsyncEngine, task_ids: list[str]) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(OutboxEvent.resource_id, func.count())
            .where(OutboxEvent.event == "task.reminder", OutboxEvent.resource_id.in_(task_ids))
            .group_by(OutboxEvent.resource_id)
        )
        return {str(r[0]): int(r[1]) for r in rows}
