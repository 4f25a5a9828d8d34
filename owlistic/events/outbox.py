"""Append domain events to the outbox inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import OutboxEvent

PENDING_FLAG = "owlistic.outbox_pending"


def emit(
    session: AsyncSession,
    *,
    event: str,
    entity: str,
    data: dict[str, Any],
    key: str,
    resource_type: str,
    resource_id: str,
    audience: Iterable[str],
) -> OutboxEvent:
    """Record ``event``; it is published only if the surrounding transaction commits."""
    row = OutboxEvent(
        event=event,
        entity=entity,
        data=data,
        key=key,
        resource_type=resource_type,
        resource_id=resource_id,
        audience=sorted(set(audience)),
    )
    session.add(row)
    session.info[PENDING_FLAG] = True
    return row
