"""Many WebSocket clients in one process, and when each one saw a given event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

CONNECT_CONCURRENCY = 64
OPEN_TIMEOUT_SECONDS = 60.0


class WebSocketUnavailable(RuntimeError):
    """The server refused or does not serve the WebSocket endpoint."""


async def open_socket(ws_url: str, token: str) -> ClientConnection:
    try:
        # No client-side keepalive (the server pings); compression as a browser offers it.
        return await connect(
            f"{ws_url}?token={token}",
            ping_interval=None,
            max_size=2**24,
            open_timeout=OPEN_TIMEOUT_SECONDS,
            close_timeout=5,
            max_queue=None,
        )
    except (WebSocketException, OSError, TimeoutError) as exc:
        raise WebSocketUnavailable(f"{ws_url}: {exc!r}") from exc


class Fleet:
    """Connections whose readers note the first arrival of a frame containing ``marker``."""

    def __init__(self, ws_url: str, on_event: Callable[[], None] | None = None) -> None:
        self.ws_url = ws_url
        self._on_event = on_event
        self.sockets: list[ClientConnection] = []
        self._readers: list[asyncio.Task[None]] = []
        self._marker: str | None = None
        self._arrivals: list[float | None] = []
        self._remaining = 0
        self._all_arrived = asyncio.Event()
        self.frames = 0
        self.event_frames = 0
        self.closed_early = 0  # connections the server ended while we still listened
        self.extensions = ""  # what the server negotiated (e.g. permessage-deflate)
        self._closing = False

    def __len__(self) -> int:
        return len(self.sockets)

    async def grow(self, tokens: Sequence[str]) -> float:
        """Open one connection per token (bounded concurrency); returns the seconds it took."""
        started = time.perf_counter()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(token: str) -> ClientConnection:
            async with limit:
                return await open_socket(self.ws_url, token)

        opened = await asyncio.gather(*(one(t) for t in tokens), return_exceptions=True)
        failures = [o for o in opened if isinstance(o, BaseException)]
        for sock in opened:
            if isinstance(sock, ClientConnection):
                if not self.sockets and sock.response is not None:
                    self.extensions = sock.response.headers.get("Sec-WebSocket-Extensions", "")
                index = len(self.sockets)
                self.sockets.append(sock)
                self._arrivals.append(None)
                self._readers.append(asyncio.create_task(self._read(index, sock)))
        if failures:
            raise WebSocketUnavailable(f"{len(failures)} connections failed: {failures[0]!r}")
        return time.perf_counter() - started

    async def _read(self, index: int, sock: ClientConnection) -> None:
        try:
            async for frame in sock:
                self.frames += 1
                if isinstance(frame, bytes):
                    frame = frame.decode()
                if '"type":"event"' in frame:
                    self.event_frames += 1
                    if self._on_event is not None:
                        self._on_event()
                marker = self._marker
                if marker is not None and self._arrivals[index] is None and marker in frame:
                    self._arrivals[index] = time.perf_counter()
                    self._remaining -= 1
                    if self._remaining == 0:
                        self._all_arrived.set()
        except WebSocketException:
            pass
        if not self._closing:
            self.closed_early += 1

    def expect(self, marker: str) -> None:
        self._marker = marker
        self._arrivals = [None] * len(self.sockets)
        self._remaining = len(self.sockets)
        self._all_arrived = asyncio.Event()

    async def wait_all(self, timeout: float) -> list[float | None]:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_arrived.wait(), timeout)
        self._marker = None
        return list(self._arrivals)

    async def close(self) -> None:
        self._closing = True
        limit = asyncio.Semaphore(256)

        async def one(sock: ClientConnection) -> None:
            async with limit:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(sock.close(), 5)

        await asyncio.gather(*(one(s) for s in self.sockets))
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self.sockets.clear()
        self._readers.clear()
        self._closing = False
