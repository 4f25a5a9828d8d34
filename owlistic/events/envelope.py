"""The WebSocket envelope (contract 7.2), built from an outbox row."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Protocol

from owlistic.events.broker.base import (
    HEADER_AUDIENCE,
    HEADER_EVENT_ID,
    HEADER_SEQ,
    Message,
    topic_name,
)
from owlistic.kit.time import utcnow


class OutboxRow(Protocol):
    """What a message is built from: an ``OutboxEvent`` or a row of ``MESSAGE_COLUMNS``."""

    @property
    def seq(self) -> int: ...
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def event(self) -> str: ...
    @property
    def entity(self) -> str: ...
    @property
    def timestamp(self) -> datetime: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def key(self) -> str: ...
    @property
    def resource_type(self) -> str: ...
    @property
    def resource_id(self) -> str: ...
    @property
    def audience(self) -> list[str]: ...


# The outbox columns ``to_message`` reads: the members of ``OutboxRow``.
MESSAGE_COLUMNS = frozenset(
    name for name, member in vars(OutboxRow).items() if isinstance(member, property)
)

# One encoder for every message (``json.dumps`` with options builds a new one per call).
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


def envelope(
    type_: str,
    *,
    event: str = "",
    payload: dict[str, Any] | None = None,
    resource_id: str = "",
    resource_type: str = "",
) -> dict[str, Any]:
    """A message as clients read it; empty ``event``/resource keys are omitted (Go omitempty)."""
    body: dict[str, Any] = {"id": str(uuid.uuid4()), "type": type_}
    if event:
        body["event"] = event
    body["timestamp"] = utcnow().isoformat()
    body["payload"] = payload
    if resource_id:
        body["resource_id"] = resource_id
    if resource_type:
        body["resource_type"] = resource_type
    return body


def event_envelope(row: OutboxRow) -> dict[str, Any]:
    # The dispatcher's keys win over same-named data keys, as upstream (contract 6.2).
    payload = {
        **row.data,
        "event_id": str(row.id),
        "timestamp": row.timestamp.isoformat(),
        "entity": row.entity,
        "type": row.event,
    }
    return envelope(
        "event",
        event=row.event,
        payload=payload,
        resource_id=row.resource_id,
        resource_type=row.resource_type,
    )


def encode(body: dict[str, Any]) -> str:
    return _ENCODER.encode(body)


def to_message(row: OutboxRow, topic_prefix: str) -> Message:
    """Envelope as the value; id, order and audience as headers, never shown to clients."""
    return Message(
        topic=topic_name(topic_prefix, row.entity),
        key=row.key,
        value=encode(event_envelope(row)).encode(),
        headers=(
            (HEADER_EVENT_ID, str(row.id).encode()),
            (HEADER_SEQ, str(row.seq).encode()),
            (HEADER_AUDIENCE, json.dumps(list(row.audience)).encode()),
        ),
    )
