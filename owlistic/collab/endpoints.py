"""``/api/v1/notes/{note_id}/collab``: the y-websocket protocol on the note's document.

Authenticated like ``/ws``; a caller who may not read the note gets REST's 404 before
the upgrade, and never a byte of the document.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from owlistic.access.roles import Rank
from owlistic.auth.dependencies import authenticate_claims
from owlistic.collab import protocol
from owlistic.collab.room import (
    CLOSE_MALFORMED,
    CLOSE_TOO_BIG,
    CLOSE_TRY_AGAIN_LATER,
    Peer,
    Room,
    Violation,
)
from owlistic.collab.service import Collab, collab_of, rank_on
from owlistic.kit.errors import Unauthorized
from owlistic.realtime.gateway import deny, token_of
from owlistic.realtime.hub import hub_of
from owlistic.realtime.registry import CLOSE_POLICY, TooManySockets
from owlistic.runtime import Runtime

router = APIRouter(tags=["collab"])
log = logging.getLogger("owlistic.collab")

CLOSE_TIMEOUT_SECONDS = 15.0


class _Revocable:
    """The peer as the process's socket registry sees it, so an ended login (logout,
    password change, account deletion or disabling) closes its editors like its ``/ws``."""

    def __init__(self, peer: Peer, session_id: str, note_id: uuid.UUID) -> None:
        self._peer = peer
        self._session_id = session_id
        self._scope = frozenset({str(note_id)})

    @property
    def user_id(self) -> str:
        return str(self._peer.user_id)

    @property
    def session_id(self) -> str:
        return self._session_id

    @property
    def scope(self) -> frozenset[str]:
        return self._scope

    def close_soon(self, code: int, reason: str) -> None:
        self._peer.close(code, reason)


@router.websocket("/api/v1/notes/{note_id}/collab")
async def collab_endpoint(websocket: WebSocket, note_id: str) -> None:
    runtime: Runtime = websocket.app.state.runtime
    collab = collab_of(websocket.app)
    settings = runtime.settings
    if collab.setups >= settings.collab_max_setups:
        await websocket.accept()
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "server busy, try again later")
        return
    collab.setups += 1
    try:
        joined = await _set_up(websocket, runtime, collab, note_id)
    finally:
        collab.setups -= 1
    if joined is None:
        return
    room, peer, revocable = joined
    registry = hub_of(websocket.app).registry
    try:
        registry.register(revocable)
    except TooManySockets as exc:
        collab.leave(room, peer)
        await websocket.close(CLOSE_POLICY, str(exc))
        return
    try:
        await _serve(websocket, room, peer, settings.collab_max_message_bytes)
    finally:
        registry.unregister(revocable)
        collab.leave(room, peer)


async def _set_up(
    websocket: WebSocket, runtime: Runtime, collab: Collab, raw_id: str
) -> tuple[Room, Peer, _Revocable] | None:
    token = token_of(websocket)
    if token is None:
        await deny(websocket, "Authentication token required")
        return None
    try:
        note_id = uuid.UUID(raw_id)
    except ValueError:
        await deny(websocket, "note_id: Input should be a valid UUID", 422, CLOSE_MALFORMED)
        return None
    try:
        async with runtime.db.session(readonly=True) as session:
            user, claims = await authenticate_claims(session, runtime, token)
            user_id = user.id
            rank = await rank_on(session, user_id, note_id)
    except Unauthorized as exc:
        await deny(websocket, exc.message)
        return None
    if rank is None:
        await deny(websocket, "Note not found", 404, 4404)
        return None
    settings = runtime.settings
    peer = Peer(
        user_id,
        writable=rank >= Rank.EDITOR,
        queue_size=settings.collab_queue_size,
        # A backlog bigger than a whole document: cheaper for the editor to resync.
        backlog_bytes=settings.collab_max_document_bytes,
        awareness_burst=settings.collab_awareness_burst,
    )
    try:
        room = await collab.join(note_id, peer)
    except Exception:
        log.exception("opening the document of note %s failed", note_id)
        await deny(websocket, "document unavailable, try again later", 503, CLOSE_TRY_AGAIN_LATER)
        return None
    try:
        await websocket.accept()
    except BaseException:
        collab.leave(room, peer)
        raise
    for frame in room.initial_frames():
        peer.send(frame)
    return room, peer, _Revocable(peer, claims.session_id, note_id)


async def _serve(websocket: WebSocket, room: Room, peer: Peer, max_bytes: int) -> None:
    reader = asyncio.create_task(_read(websocket, room, peer, max_bytes))
    writer = asyncio.create_task(_write(websocket, peer))
    closed = asyncio.create_task(peer.closed.wait())
    tasks = {reader, writer, closed}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if peer.close_reason is not None:
        code, reason = peer.close_reason
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, TimeoutError):
            await asyncio.wait_for(websocket.close(code, reason[:120]), CLOSE_TIMEOUT_SECONDS)


async def _read(websocket: WebSocket, room: Room, peer: Peer, max_bytes: int) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            peer.closed.set()
            return
        data = message.get("bytes")
        if data is None:
            peer.close(CLOSE_MALFORMED, "binary y-websocket frames only")
            return
        if len(data) > max_bytes:
            peer.close(CLOSE_TOO_BIG, f"message too big (over {max_bytes} bytes)")
            return
        try:
            parsed = protocol.parse(data)
            if isinstance(parsed, protocol.AwarenessMessage):
                room.receive_awareness(peer, parsed)
            elif parsed.step == protocol.SyncStep.STEP1:
                peer.send(await room.sync_step2_for(parsed.payload))
            else:
                room.receive_update(peer, parsed.step, parsed.payload)
        except protocol.Malformed as exc:
            peer.close(CLOSE_MALFORMED, f"malformed message: {exc}")
            return
        except Violation as exc:
            peer.close(exc.code, exc.reason)
            return


async def _write(websocket: WebSocket, peer: Peer) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            for frame in await peer.next_frames():
                await websocket.send_bytes(frame)
