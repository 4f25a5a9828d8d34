"""Append domain events to the outbox inside the caller's transaction.

The rows of a unit of work are added to it just before it commits, so they are inserted
together (one statement, however many events) instead of one per flush: a write that
emits a block's and its task's events, with flushes between them, sends one INSERT.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from owlistic.events import domain
from owlistic.kit.db import OUTBOX_WRITTEN
from owlistic.models import OutboxEvent


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
) -> OutboxEvent:
    """The outbox row itself, already in wire form (``emit`` renders typed events); it is
    added to the session when the session commits."""
    row = OutboxEvent(
        id=id or uuid.uuid4(),
        event=event,
        entity=entity,
        data=data,
        key=key,
        resource_type=resource_type,
        resource_id=resource_id,
        audience=sorted(set(audience)),
    )
    pending: list[tuple[SessionTransaction | None, OutboxEvent]]
    pending = session.info.setdefault(_PENDING, [])
    pending.append((session.sync_session.get_nested_transaction(), row))
    session.info[OUTBOX_WRITTEN] = True
    return row


_PENDING = "owlistic.outbox_unflushed"


def _add_pending(session: Session) -> None:
    # before_commit runs before the commit's own flush, which then inserts them all.
    pending: list[tuple[SessionTransaction | None, OutboxEvent]] = session.info.pop(_PENDING, [])
    session.add_all(row for _, row in pending)


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


orm_event.listen(Session, "before_commit", _add_pending)
orm_event.listen(Session, "after_soft_rollback", _drop_pending)
