"""PostgreSQL: a commit anywhere wakes every instance's relay at once (LISTEN/NOTIFY).

Collected only in the PostgreSQL run (see conftest.py).
"""

from __future__ import annotations

import asyncio

import httpx

from owlistic.events.outbox import append_row
from owlistic.kit.db import Database
from owlistic.settings import Settings
from tests.conftest import LiveServer, register
from tests.realtime.wsclient import receive, ws_connect


async def test_commit_without_local_wakeup_is_relayed_before_the_poll(
    server: LiveServer, client: httpx.AsyncClient, settings: Settings
) -> None:
    """Written through another engine (as another process would), with no in-process wake-up:
    only the NOTIFY sent in the writing transaction can make the relay react this fast."""
    erin = await register(client)
    other_process = Database(settings)
    try:
        async with ws_connect(server, erin) as ws:
            loop = asyncio.get_running_loop()
            async with other_process.session() as session:
                append_row(
                    session,
                    event="note.updated",
                    entity="note",
                    data={"note_id": "n1", "notebook_id": "nb1", "title": "notified"},
                    key="n1",
                    resource_type="note",
                    resource_id="n1",
                    audience=[erin.id],
                )
            committed = loop.time()
            message = await receive(ws)
            elapsed = loop.time() - committed
    finally:
        await other_process.dispose()
    assert message["payload"]["title"] == "notified"
    assert elapsed < settings.relay_poll_seconds / 2, f"took {elapsed:.3f}s: polled, not woken"
