"""Client -> server messages and the server's replies (contract 7.3).

Subscriptions are confirmed but do not filter delivery: clients rely on receiving every
event they may read (7.3 REC). Client-sent events are never re-broadcast (DEFECT 3).
"""

from __future__ import annotations

import json
from typing import Any

from owlistic.events.envelope import envelope

Reply = dict[str, Any]


def parse_error(detail: str) -> Reply:
    return envelope(
        "error",
        event="parse_error",
        payload={"message": "Failed to parse message", "error": detail},
    )


def error(event: str, message: str) -> Reply:
    return envelope("error", event=event, payload={"message": message})


def _confirmations(kind: str, message: dict[str, Any]) -> list[Reply]:
    payload = message.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    replies: list[Reply] = []
    resource = payload.get("resource")
    if isinstance(resource, str) and resource:
        confirmed: dict[str, Any] = {"resource": resource}
        resource_id = payload.get("id")
        if isinstance(resource_id, str) and resource_id:
            confirmed["id"] = resource_id
        replies.append(envelope(kind, event="confirmed", payload=confirmed))
    # The Flutter client sends payload.event_type; upstream HEAD read the top-level event.
    event_type = payload.get("event_type") or message.get("event")
    if isinstance(event_type, str) and event_type:
        replies.append(envelope(kind, event="confirmed", payload={"event_type": event_type}))
    return replies


def receipt(message: dict[str, Any]) -> Reply:
    client_id = message.get("id")
    return envelope(
        "receipt",
        event="confirmed",
        payload={
            "event_id": client_id if isinstance(client_id, str) else "",
            "status": "processed",
        },
    )


def handle(text: str) -> list[Reply]:
    """The replies to one inbound text frame, in order (possibly none)."""
    try:
        message = json.loads(text)
    except ValueError as exc:
        return [parse_error(str(exc))]
    if not isinstance(message, dict):
        return [parse_error("message must be a JSON object")]
    match message.get("type"):
        case "ping":
            return [envelope("pong", event="pong", payload=None)]
        case "subscribe":
            return _confirmations("subscription", message)
        case "unsubscribe":
            return _confirmations("unsubscription", message)
        case "event":
            # Acknowledged, never forwarded: clients cannot inject events (DEFECT 3).
            return [receipt(message)]
        case _:
            return []
