"""Append domain events to the outbox inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
    """The outbox row itself, already in wire form (``emit`` renders typed events)."""
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
    session.add(row)
    session.info[OUTBOX_WRITTEN] = True
    return row
