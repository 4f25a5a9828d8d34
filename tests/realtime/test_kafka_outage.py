"""Kafka goes away: writes keep succeeding, and every event arrives once it is back.

Collected only when a shared broker is configured (see conftest.py).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.api.helpers import API, notebook_with_note, ok
from tests.conftest import Account, LiveServer
from tests.realtime.wsclient import next_event, ws_connect

pytestmark = pytest.mark.kafka

KAFKA_SH = Path(__file__).resolve().parents[2] / "scripts" / "services" / "kafka.sh"
RECOVERY = 120.0
WRITES = 5


async def kafka(command: str) -> None:
    proc = await asyncio.create_subprocess_exec(str(KAFKA_SH), command)
    assert await proc.wait() == 0, f"kafka.sh {command} failed"


async def wait_status(client: httpx.AsyncClient, path: str, status: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECOVERY
    while (await client.get(path)).status_code != status:
        assert loop.time() < deadline, f"{path} never answered {status}"
        await asyncio.sleep(0.5)


async def test_writes_survive_a_kafka_outage_and_events_follow(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ws_connect(server, alice) as ws:
        ok(
            await client.put(
                f"{API}/notes/{n['id']}", json={"title": "before"}, headers=alice.headers
            )
        )
        assert (await next_event(ws, "note.updated"))["payload"]["title"] == "before"

        await kafka("down")
        try:
            await wait_status(client, "/readyz", 503)
            for i in range(WRITES):
                started = time.monotonic()
                r = await client.put(
                    f"{API}/notes/{n['id']}", json={"title": f"during {i}"}, headers=alice.headers
                )
                assert r.status_code == 200, r.text
                assert time.monotonic() - started < 2.0, "writes must not wait for Kafka"
            backlog = ok(await client.get(f"{API}/admin/outbox", headers=alice.headers))
            assert backlog["pending"] >= WRITES
        finally:
            await kafka("up")

        titles = [
            (await next_event(ws, "note.updated", timeout=RECOVERY))["payload"]["title"]
            for _ in range(WRITES)
        ]
        assert titles == [f"during {i}" for i in range(WRITES)]
        await wait_status(client, "/readyz", 200)
        backlog = ok(await client.get(f"{API}/admin/outbox", headers=alice.headers))
        assert backlog["pending"] == 0
