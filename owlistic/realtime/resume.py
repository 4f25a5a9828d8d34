"""``?since=<event id>``: replay what a reconnecting client missed, then continue live."""

from __future__ import annotations

import uuid

from starlette.websockets import WebSocket

from owlistic.events import repository
from owlistic.events.envelope import encode, event_envelope
from owlistic.kit.db import Database
from owlistic.realtime import protocol
from owlistic.realtime.connection import Connection, Outgoing


async def replay(
    db: Database, websocket: WebSocket, connection: Connection, *, since: str, limit: int
) -> None:
    """Call after the connection is attached to the hub and before its writer starts.

    Live events arriving meanwhile wait in the connection's queue; the writer then skips
    those already replayed here, so the client sees no gap and no duplicate.
    """
    try:
        event_id: uuid.UUID | None = uuid.UUID(since)
    except ValueError:
        event_id = None
    missed: list[Outgoing] = []
    truncated = False
    async with db.session(readonly=True) as session:
        seq = (
            None
            if event_id is None
            else await repository.resume_point(session, event_id, connection.user_id)
        )
        if seq is not None:
            rows, truncated = await repository.readable_after(
                session, seq=seq, user_id=connection.user_id, limit=limit
            )
            missed = [Outgoing(encode(event_envelope(r)), str(r.id)) for r in rows]
    if seq is None:
        await _resync(websocket, connection, "unknown or expired event id; reload your data")
    elif truncated:
        await _resync(websocket, connection, f"more than {limit} events missed; reload your data")
    else:
        for item in missed:
            await connection.send_now(websocket, item)


async def _resync(websocket: WebSocket, connection: Connection, message: str) -> None:
    connection.last_event_id = None  # the client starts over; no point resuming from there
    await websocket.send_text(encode(protocol.error("resync_required", message)))
