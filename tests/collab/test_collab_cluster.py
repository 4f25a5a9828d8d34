"""Two server processes on PostgreSQL + Kafka: editors on different instances converge.

Collected only when a shared broker and PostgreSQL are configured (see conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from owlistic.collab import protocol
from owlistic.settings import Settings
from tests.api.helpers import API, notebook_with_note, ok
from tests.collab.yclient import YClient, rows_become, ydoc_client
from tests.conftest import Account, LiveServer
from tests.realtime.processes import owlistic_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.kafka]


async def _holds(editor: YClient, *parts: str) -> None:
    await editor.wait_until(lambda: all(p in editor.texts()[0] for p in parts))


async def test_editors_on_two_instances_converge_and_see_each_other(
    server: LiveServer,
    settings: Settings,
    client: httpx.AsyncClient,
    alice: Account,
    tmp_path: Path,
) -> None:
    _, n = await notebook_with_note(client, alice)
    (b,) = n["blocks"]
    async with (
        owlistic_servers(settings, tmp_path, 2) as (one, two),
        ydoc_client(one, n["id"], alice) as left,
        ydoc_client(two, n["id"], alice) as right,
    ):
        left.insert_text(0, 0, "left ")
        right.insert_text(0, 0, "right ")
        await _holds(left, "left ", "right ")
        await _holds(right, "left ", "right ")
        assert left.texts() == right.texts()
        state = '{"user":{"name":"Ann"}}'
        await left.ws.send(protocol.awareness_frame(protocol.encode_awareness([(99, 1, state)])))
        await right.wait_until(lambda: right.awareness.get(99) == state)
        # A REST write on one instance reaches the editors of both.
        async with httpx.AsyncClient(base_url=one.url, timeout=30) as on_one:
            ok(
                await on_one.put(
                    f"{API}/blocks/{b['id']}",
                    json={"content": {"text": "from rest"}},
                    headers=alice.headers,
                )
            )
        await left.wait_until(lambda: left.texts() == ["from rest"])
        await right.wait_until(lambda: right.texts() == ["from rest"])
    await rows_become(client, alice, n["id"], ["from rest"])
