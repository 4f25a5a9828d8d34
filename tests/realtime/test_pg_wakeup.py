"""PostgreSQL: a commit anywhere wakes every instance's relay at once (LISTEN/NOTIFY).

Collected only in the PostgreSQL run (see conftest.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy import text

from owlistic.events.outbox import append_row
from owlistic.kit.db import Database
from owlistic.settings import Settings
from tests.conftest import START_TIMEOUT, register, run_database
from tests.realtime.conftest import ExtraServerFactory
from tests.realtime.wsclient import next_event, ws_connect

# The relay's fallback poll: far longer than the test may take, so an event that arrives
# was woken by the NOTIFY.
NO_POLL = 3600.0
WOKEN_WITHIN = 60.0  # generous for a loaded machine, and still far inside the poll


async def wait_listening(db: Database) -> None:
    """Until a connection to this (scratch) database is listening: the relay's."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
    )
    while True:
        async with db.engine.connect() as conn:
            if await conn.scalar(query):
                return
        assert loop.time() < deadline, "the relay never listened"
        await asyncio.sleep(0.1)


async def test_commit_without_local_wakeup_is_relayed_before_the_poll(
    extra_server: ExtraServerFactory, settings: Settings, tmp_path: Path
) -> None:
    """Written through another engine (as another process would), with no in-process wake-up,
    on a database of its own (no other instance's relay polls it) while the relay polls once
    an hour: only the NOTIFY sent in the writing transaction can make the relay react."""
    async with run_database(tmp_path / "unused.db") as url:
        custom = {"database_url": url, "relay_poll_seconds": NO_POLL}
        other_process = Database(settings.model_copy(update=custom))
        try:
            async with (
                extra_server(**custom) as srv,
                httpx.AsyncClient(base_url=srv.url, timeout=30) as client,
            ):
                erin = await register(client)
                # A row written before the relay listens is sent by the run it makes once
                # listening (for what it missed), which would prove nothing.
                await wait_listening(other_process)
                async with ws_connect(srv, erin) as ws:
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
                    message = await next_event(ws, "note.updated", timeout=WOKEN_WITHIN)
        finally:
            await other_process.dispose()
    assert message["payload"]["title"] == "notified"
