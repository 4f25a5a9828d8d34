"""WebSocket client helpers for the real-time tests (the ``websockets`` library)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import Account

Json = dict[str, Any]
WAIT = 15.0  # generous: the Kafka run goes through a real broker
QUIET = 0.5  # how long "nothing arrives" is watched


class Endpoint(Protocol):
    """A running server: the in-process one or an ``owlistic serve`` subprocess."""

    @property
    def ws_url(self) -> str: ...


def ws_url(server: Endpoint, account: Account | None, path: str = "/ws", **params: str) -> str:
    query = dict(params)
    if account is not None:
        query = {"token": account.token, "user_id": account.id, **query}
    return f"{server.ws_url}{path}" + (f"?{urlencode(query)}" if query else "")


@asynccontextmanager
async def ws_connect(
    server: Endpoint, account: Account, path: str = "/ws", **params: str
) -> AsyncIterator[ClientConnection]:
    async with connect(
        ws_url(server, account, path, **params), open_timeout=WAIT, max_size=None
    ) as ws:
        yield ws


async def receive(ws: ClientConnection, timeout: float = WAIT) -> Json:
    raw = await asyncio.wait_for(ws.recv(), timeout)
    assert isinstance(raw, str), "the server sends text frames"
    message = json.loads(raw)  # one JSON object per frame
    assert isinstance(message, dict), message
    return message


async def next_event(
    ws: ClientConnection,
    event: str | None = None,
    match: Callable[[Json], bool] | None = None,
    timeout: float = WAIT,
) -> Json:
    """The next ``type:"event"`` message (optionally of one name / matching), skipping others."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await receive(ws, max(0.01, deadline - loop.time()))
        if message.get("type") != "event":
            continue
        if event is not None and message.get("event") != event:
            continue
        if match is not None and not match(message):
            continue
        return message


async def assert_silent(ws: ClientConnection, seconds: float = QUIET) -> None:
    try:
        message = await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected message: {message!r}")


async def send(ws: ClientConnection, message: Json) -> None:
    await ws.send(json.dumps(message))
