"""Several server processes on one database and one Kafka: each client sees every event.

Collected only when a shared broker is configured (see conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from owlistic.settings import Settings
from tests.api.helpers import API, notebook_with_note, ok
from tests.conftest import Account, LiveServer
from tests.realtime.processes import owlistic_servers
from tests.realtime.wsclient import assert_silent, next_event, ws_connect

pytestmark = [pytest.mark.multiprocess, pytest.mark.kafka]

WRITES = 20


async def test_client_on_one_instance_gets_writes_of_another_in_order(
    server: LiveServer, settings: Settings, alice: Account, bob: Account, tmp_path: Path
) -> None:
    async with (
        owlistic_servers(settings, tmp_path, 2) as (one, two),
        httpx.AsyncClient(base_url=one.url, timeout=30) as on_one,
    ):
        _, n = await notebook_with_note(on_one, alice)
        async with ws_connect(two, alice) as alice_ws, ws_connect(two, bob) as bob_ws:
            for i in range(WRITES):
                ok(
                    await on_one.put(
                        f"{API}/notes/{n['id']}", json={"title": f"v{i}"}, headers=alice.headers
                    )
                )
            received = [await next_event(alice_ws, "note.updated") for _ in range(WRITES)]
            await assert_silent(alice_ws)  # exactly once, although three relays run
            await assert_silent(bob_ws, 0.1)

    assert [m["payload"]["title"] for m in received] == [f"v{i}" for i in range(WRITES)]
    assert all(m["resource_id"] == n["id"] for m in received)
    assert len({m["payload"]["event_id"] for m in received}) == WRITES
