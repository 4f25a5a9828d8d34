"""Every query on the outbox table (``events``)."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Executable,
    Integer,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    not_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events.envelope import MESSAGE_COLUMNS, OutboxRow
from owlistic.kit.time import utcnow
from owlistic.models import OutboxEvent

# The columns ``to_message`` reads, in table order.
MESSAGE_SELECT = tuple(c for c in OutboxEvent.__table__.c if c.name in MESSAGE_COLUMNS)

# "Not yet dispatched", rendered exactly as the partial index ``ix_events_pending`` is
# defined (``NOT dispatched``) on PostgreSQL and SQLite alike: both use a partial index
# only when the query's condition matches its predicate, and SQLAlchemy's own renderings
# of ``dispatched.is_(False)`` (``IS false``, ``IS 0``) do not, so every fetch used to
# walk past all the retained dispatched rows before reaching the pending ones.
PENDING = not_(type_coerce(OutboxEvent.dispatched, Integer))


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_pending_at: datetime | None
    last_dispatched_seq: int | None


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def pending_batch(
    session: AsyncSession, limit: int, *, after: int | None = None
) -> Sequence[OutboxRow]:
    """The oldest undispatched rows (with ``seq`` above ``after``); on PostgreSQL locked,
    skipping rows another relay holds.

    Plain rows of the columns a message needs, not ORM objects: the relay only reads them,
    and building (then synchronising) hundreds of tracked objects per batch cost more than
    the query.
    """
    query = select(*MESSAGE_SELECT).where(PENDING).order_by(OutboxEvent.seq).limit(limit)
    if after is not None:
        query = query.where(OutboxEvent.seq > after)
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    rows: Sequence[Any] = (await session.execute(query)).all()
    return rows


# Core, not the unit of work: a write's events are inserted in one statement that returns
# their ``seq``s in the order given (``events.id`` is the insert sentinel).
_INSERT = insert(OutboxEvent).returning(OutboxEvent.seq, sort_by_parameter_order=True)


def insert_rows(
    conn: Connection, rows: Sequence[dict[str, Any]], *, notify: tuple[str, str] | None
) -> list[int]:
    """Inserts outbox rows (called as the writing transaction commits); their ``seq``s.
    ``notify``: the channel and payload of a NOTIFY sent by the same statement
    (PostgreSQL)."""
    statement = _INSERT if notify is None else _insert_notifying(*notify)
    return [int(seq) for seq in conn.execute(statement, list(rows)).scalars()]


@functools.cache
def _insert_notifying(channel: str, payload: str) -> Executable:
    # On PostgreSQL the insert itself wakes every instance's relay (``events/wakeup.py``)
    # instead of a statement of its own: a NOTIFY is delivered only if the transaction
    # commits, and PostgreSQL folds a transaction's identical notifications into one. The
    # channel and payload are written into the SQL (a constant and an instance's hex id):
    # a RETURNING clause repeated for each row of a multi-row insert takes no parameters.
    if not _SAFE_LITERAL.fullmatch(channel + payload):
        raise ValueError(f"not a plain identifier: {channel!r} / {payload!r}")
    notify = func.pg_notify(literal_column(f"'{channel}'"), literal_column(f"'{payload}'"))
    return insert(OutboxEvent).returning(OutboxEvent.seq, notify, sort_by_parameter_order=True)


_SAFE_LITERAL = re.compile(r"[A-Za-z0-9_]*")


async def mark_dispatched(session: AsyncSession, seqs: Sequence[int]) -> None:
    """One UPDATE for the whole batch, and no ORM objects to synchronise (none are loaded).

    On PostgreSQL the sequence numbers travel as one array parameter (``seq = ANY($1)``):
    one cached statement whatever the batch size, instead of hundreds of parameters.
    """
    if not seqs:
        return
    statement = _MARK_ANY if _is_postgres(session) else _MARK_IN
    await session.execute(statement, {"seqs": list(seqs), "at": utcnow()})


_MARK = (
    update(OutboxEvent)
    .values(dispatched=True, dispatched_at=bindparam("at"))
    .execution_options(synchronize_session=False)
)
_MARK_ANY = _MARK.where(OutboxEvent.seq == any_(bindparam("seqs", type_=ARRAY(BigInteger))))
_MARK_IN = _MARK.where(OutboxEvent.seq.in_(bindparam("seqs", expanding=True)))


async def prune_dispatched(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(
        delete(OutboxEvent).where(
            OutboxEvent.dispatched.is_(True), OutboxEvent.dispatched_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def stats(session: AsyncSession) -> OutboxStats:
    pending, oldest = (
        await session.execute(select(func.count(), func.min(OutboxEvent.timestamp)).where(PENDING))
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
