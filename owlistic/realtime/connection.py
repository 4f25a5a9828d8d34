"""One WebSocket client: a bounded outbound queue, a reader and a writer."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from owlistic.events.envelope import encode
from owlistic.realtime import protocol

CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN_LATER = 1013
# Time allowed for the close frame to get past a client that stopped reading.
CLOSE_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    event_id: str | None = None


class Connection:
    def __init__(
        self,
        user_id: str,
        *,
        session_id: str,
        queue_size: int,
        max_message_bytes: int,
        last_event_id: str | None = None,
    ) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.scope: frozenset[str] = frozenset()  # user-wide: the hub filters by audience
        self._closing: tuple[int, str] | None = None
        self._close_requested = asyncio.Event()
        self._queue: asyncio.Queue[Outgoing] = asyncio.Queue(queue_size)
        self._max_message_bytes = max_message_bytes
        self._overflowed = asyncio.Event()
        # Events already replayed by a resume, so their live copies are not sent twice.
        self._replayed: set[str] = set()
        self.last_event_id = last_event_id

    def offer(self, item: Outgoing) -> None:
        """Never blocks the hub: a client that cannot keep up is disconnected instead."""
        if self._overflowed.is_set():
            return
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self._overflowed.set()

    def close_soon(self, code: int, reason: str) -> None:
        """Revoked (``realtime.registry``): ``run`` closes the socket with this code and reason."""
        if self._closing is None:
            self._closing = (code, reason)
            self._close_requested.set()

    def mark_replayed(self, event_id: str) -> None:
        self._replayed.add(event_id)
        self.last_event_id = event_id

    async def run(self, websocket: WebSocket) -> None:
        """Serve until the client leaves, misbehaves or falls behind."""
        reader = asyncio.create_task(self._read(websocket))
        writer = asyncio.create_task(self._write(websocket))
        overflow = asyncio.create_task(self._overflowed.wait())
        revoked = asyncio.create_task(self._close_requested.wait())
        tasks = {reader, writer, overflow, revoked}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if revoked in done and self._closing is not None:
            await self._close(websocket, *self._closing)
        elif overflow in done:
            since = f" with since={self.last_event_id}" if self.last_event_id else ""
            await self._close(websocket, CLOSE_TRY_AGAIN_LATER, f"too slow, reconnect{since}")
        elif reader in done and reader.exception() is None and reader.result() is not None:
            await self._close(websocket, CLOSE_TOO_BIG, "message too big")

    async def _read(self, websocket: WebSocket) -> int | None:
        """Returns a close code when the client must be dropped, None when it left."""
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return None
            text = message.get("text")
            if text is None:
                data = message.get("bytes") or b""
                if len(data) > self._max_message_bytes:
                    return CLOSE_TOO_BIG
                text = data.decode("utf-8", errors="replace")
            elif len(text.encode()) > self._max_message_bytes:
                return CLOSE_TOO_BIG
            for reply in protocol.handle(text):
                self.offer(Outgoing(encode(reply)))

    async def _write(self, websocket: WebSocket) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                item = await self._queue.get()
                if item.event_id in self._replayed:
                    continue
                await websocket.send_text(item.text)
                if item.event_id is not None:
                    self.last_event_id = item.event_id

    async def send_now(self, websocket: WebSocket, item: Outgoing) -> None:
        """Direct send while the writer is not running yet (resume replay)."""
        await websocket.send_text(item.text)
        if item.event_id is not None:
            self.mark_replayed(item.event_id)

    @staticmethod
    async def _close(websocket: WebSocket, code: int, reason: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, TimeoutError):
            await asyncio.wait_for(websocket.close(code, reason), CLOSE_TIMEOUT_SECONDS)
