"""A client that stops reading is disconnected and told how to resume; memory stays bounded."""

from __future__ import annotations

import asyncio
import secrets
import socket

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.api.helpers import API, block, notebook_with_note, ok
from tests.conftest import Account
from tests.realtime.conftest import ExtraServerFactory
from tests.realtime.wsclient import WAIT, next_event, ws_connect, ws_url

QUEUE_SIZE = 4


def incompressible() -> str:
    # WebSocket frames are deflated: repetitive text would never fill a buffer.
    return secrets.token_urlsafe(45_000)


def small_buffer_socket(port: int) -> socket.socket:
    """A client socket with a tiny receive buffer, so the server's writes back up quickly."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


async def test_slow_consumer_is_disconnected_with_resume_hint(
    extra_server: ExtraServerFactory, alice: Account
) -> None:
    async with (
        extra_server(ws_queue_size=QUEUE_SIZE) as srv,
        httpx.AsyncClient(base_url=srv.url, timeout=30) as client,
    ):
        _, n = await notebook_with_note(client, alice)
        b = await block(client, alice, n["id"])
        port = int(srv.url.rsplit(":", 1)[1])
        # max_queue=1: the client library stops reading the socket once one frame is waiting.
        async with connect(
            ws_url(srv, alice),
            sock=small_buffer_socket(port),
            max_queue=1,
            max_size=None,
            open_timeout=WAIT,
            # Its own keepalive would give up first when the writes take long (a loaded
            # machine): the server's pong waits behind everything this client does not read.
            ping_interval=None,
        ) as slow:
            # More than the server's socket buffers (a few MB) and the queue can hold.
            writes = 100
            for i in range(writes):
                ok(
                    await client.put(
                        f"{API}/blocks/{b['id']}",
                        json={"content": {"text": f"{i} {incompressible()}"}},
                        headers=alice.headers,
                    )
                )
            received = 0

            async def drain() -> None:
                nonlocal received
                while True:
                    await asyncio.wait_for(slow.recv(), WAIT)
                    received += 1

            with pytest.raises(ConnectionClosed) as closed:
                await drain()
        assert closed.value.rcvd is not None, "the server sent a close frame"
        assert closed.value.rcvd.code == 1013
        reason = closed.value.rcvd.reason
        assert reason.startswith("too slow, reconnect with since="), reason
        assert received < writes, "the server gave up before sending everything"

        # The hint works: resuming from it delivers the rest, ending with the last write.
        since = reason.rsplit("=", 1)[1]
        async with ws_connect(srv, alice, since=since) as ws:
            last = await next_event(
                ws,
                "block.updated",
                match=lambda m: m["payload"]["content"]["text"].startswith(f"{writes - 1} "),
            )
        assert last["resource_id"] == b["id"]
