"""Every query on the outbox table (``events``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.time import utcnow
from owlistic.models import OutboxEvent


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_pending_at: datetime | None
    last_dispatched_seq: int | None


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def pending_batch(session: AsyncSession, limit: int) -> Sequence[OutboxEvent]:
    """The oldest undispatched rows; on PostgreSQL locked, skipping rows another relay holds."""
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched.is_(False))
        .order_by(OutboxEvent.seq)
        .limit(limit)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return (await session.scalars(query)).all()


async def mark_dispatched(session: AsyncSession, seqs: Sequence[int]) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.seq.in_(seqs))
        .values(dispatched=True, status="completed", dispatched_at=utcnow())
    )


async def prune_dispatched(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(
        delete(OutboxEvent).where(
            OutboxEvent.dispatched.is_(True), OutboxEvent.dispatched_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def stats(session: AsyncSession) -> OutboxStats:
    pending, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.timestamp)).where(
                OutboxEvent.dispatched.is_(False)
            )
        )
    ).one()
    last = await session.scalar(
        select(func.max(OutboxEvent.seq)).where(OutboxEvent.dispatched.is_(True))
    )
    return OutboxStats(
        pending=int(pending),
        oldest_pending_at=oldest,
        last_dispatched_seq=int(last) if last is not None else None,
    )


async def resume_point(session: AsyncSession, event_id: uuid.UUID, user_id: str) -> int | None:
    """The ``seq`` of an event ``user_id`` was allowed to see; None if unknown or pruned."""
    row = (
        await session.execute(
            select(OutboxEvent.seq, OutboxEvent.audience).where(OutboxEvent.id == event_id)
        )
    ).one_or_none()
    if row is None or user_id not in row.audience:
        return None
    return int(row.seq)


async def readable_after(
    session: AsyncSession, *, seq: int, user_id: str, limit: int
) -> tuple[list[OutboxEvent], bool]:
    """Events after ``seq`` that ``user_id`` may read, in order; and whether more remain.

    Dispatched or not: a committed row not yet relayed is still something the client missed.
    """
    query = select(OutboxEvent).where(OutboxEvent.seq > seq).order_by(OutboxEvent.seq)
    if _is_postgres(session):
        query = query.where(type_coerce(OutboxEvent.audience, JSONB).contains([user_id]))
        rows = list((await session.scalars(query.limit(limit + 1))).all())
        return rows[:limit], len(rows) > limit
    # SQLite has no JSON containment operator: filter in Python, in bounded chunks.
    found: list[OutboxEvent] = []
    after = seq
    while True:
        chunk = (await session.scalars(query.where(OutboxEvent.seq > after).limit(1000))).all()
        for row in chunk:
            if user_id in row.audience:
                if len(found) == limit:
                    return found, True
                found.append(row)
        if len(chunk) < 1000:
            return found, False
        after = chunk[-1].seq
