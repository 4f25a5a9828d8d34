"""Protocol-level keep-alive: the server pings, and drops a peer that stops answering.

The original Flutter client never sends application pings; it relies on these frames. A
raw socket is used because client libraries answer pings by themselves.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct

from owlistic.settings import Settings
from tests.conftest import Account
from tests.realtime.conftest import ExtraServerFactory

OP_CLOSE, OP_PING = 0x8, 0x9
HEARTBEAT, IDLE_TIMEOUT = 0.3, 1.2
# Each step is awaited this long at most: far beyond the configured times, yet within the
# defaults (30 s, 120 s), so only the configured heartbeat can make the test pass.
STEP_TIMEOUT = Settings.model_fields["ws_heartbeat_seconds"].default / 2


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readexactly(2)
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    return opcode, await reader.readexactly(length)


async def test_server_pings_and_drops_a_silent_peer(
    extra_server: ExtraServerFactory, alice: Account
) -> None:
    async with extra_server(
        ws_heartbeat_seconds=HEARTBEAT, ws_idle_timeout_seconds=IDLE_TIMEOUT
    ) as srv:
        host, port = srv.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws?token={alice.token} HTTP/1.1\r\nHost: {host}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        status = await reader.readuntil(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 101"), status

        opcode, _ = await asyncio.wait_for(read_frame(reader), STEP_TIMEOUT)
        assert opcode == OP_PING

        # Never answer: the server closes the socket, saying the ping went unanswered.
        async def close_frame() -> bytes:
            while True:
                op, body = await read_frame(reader)
                if op == OP_CLOSE:
                    return body

        body = await asyncio.wait_for(close_frame(), STEP_TIMEOUT)
        writer.close()
    (code,) = struct.unpack("!H", body[:2])
    assert (code, body[2:]) == (1011, b"keepalive ping timeout")
