"""Append domain events to the outbox inside the caller's transaction.

The rows of a unit of work are inserted just before it commits, together, in one Core
statement (however many events, with flushes between them) that returns their ``seq``:
they never pass through the ORM's unit of work, which cost a write more than the insert.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from owlistic.events import domain, handoff, repository, wakeup
from owlistic.kit.db import OUTBOX_WRITTEN
from owlistic.kit.time import utcnow


@dataclass(slots=True)
class OutboxRecord:
    """An outbox row as this process wrote it (an ``envelope.OutboxRow``); ``seq`` is set
    when it is inserted."""

    id: uuid.UUID
    event: str
    entity: str
    timestamp: datetime
    data: dict[str, Any]
    key: str
    resource_type: str
    resource_id: str
    audience: list[str]
    seq: int = 0

    def values(self) -> dict[str, Any]:
        values = asdict(self)
        del values["seq"]
        return values | {"dispatched": False, "dispatched_at": None}


async def emit(session: AsyncSession, event: domain.DomainEvent) -> None:
    """Record ``event`` and run its in-process handlers; it is published only if the
    surrounding transaction commits."""
    spec = domain.spec_of(event)
    wire = spec.render(event)
    append_row(
        session,
        id=event.id,
        event=wire.event,
        entity=wire.entity,
        data=wire.data,
        key=spec.key(event),
        resource_type=wire.resource_type,
        resource_id=wire.resource_id,
        audience=await spec.audience(session, event),
    )
    for handler in domain.handlers_of(event):
        await handler(session, event)


def append_row(
    session: AsyncSession,
    *,
    event: str,
    entity: str,
    data: dict[str, Any],
    key: str,
    resource_type: str,
    resource_id: str,
    audience: Iterable[str],
    id: uuid.UUID | None = None,
) -> OutboxRecord:
    """The outbox row itself, already in wire form (``emit`` renders typed events); it is
    inserted when the session commits."""
    row = OutboxRecord(
        id=id or uuid.uuid4(),
        event=event,
        entity=entity,
        timestamp=utcnow(),
        data=data,
        key=key,
        resource_type=resource_type,
        resource_id=resource_id,
        audience=sorted(set(audience)),
    )
    pending: list[tuple[SessionTransaction | None, OutboxRecord]]
    pending = session.info.setdefault(_PENDING, [])
    pending.append((session.sync_session.get_nested_transaction(), row))
    session.info[OUTBOX_WRITTEN] = True
    return row


_PENDING = "owlistic.outbox_unflushed"


def _insert_pending(session: Session) -> None:
    # before_commit also runs when a savepoint is released: the rows wait for the commit
    # of the transaction itself (a savepoint's rollback drops its own, _drop_pending).
    if session.get_nested_transaction() is not None:
        return
    pending: list[tuple[SessionTransaction | None, OutboxRecord]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    rows = [row for _, row in pending]
    conn = session.connection()
    notify = wakeup.notification(conn.engine)
    seqs = repository.insert_rows(conn, [row.values() for row in rows], notify=notify)
    for row, seq in zip(rows, seqs, strict=True):
        row.seq = seq
    handoff.inserted(session, rows)


def _within(savepoint: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is ended:
            return True
        savepoint = savepoint.parent
    return False


def _drop_pending(session: Session, previous: SessionTransaction) -> None:
    """A rollback drops the events emitted in what it rolled back (a savepoint's only)."""
    if previous.parent is None:
        session.info.pop(_PENDING, None)
    elif pending := session.info.get(_PENDING):
        pending[:] = [(at, row) for at, row in pending if not _within(at, previous)]


orm_event.listen(Session, "before_commit", _insert_pending)
orm_event.listen(Session, "after_soft_rollback", _drop_pending)
