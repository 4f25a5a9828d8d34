"""PostgreSQL: a commit anywhere wakes every instance's relay at once (LISTEN/NOTIFY).

Collected only in the PostgreSQL run (see conftest.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, make_url, text

from owlistic.events.outbox import append_row
from owlistic.events.wakeup import CHANNEL, PgListener, asyncpg_dsn
from owlistic.kit.db import Database
from owlistic.settings import Settings
from tests.api.helpers import API, Json, notebook, ok
from tests.conftest import START_TIMEOUT, LiveServer, register, run_database
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


async def test_an_instance_relays_its_own_commit_once(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    """A commit wakes its own instance's relay directly; the NOTIFY it also sends (for the
    other instances) names its origin, and the instance's own listener ignores it. Before,
    every write cost a second relay transaction that found nothing (lock, read, commit)."""
    erin = await register(client)
    book = await notebook(client, erin)
    engine = server.app.state.runtime.db.engine.sync_engine
    runs: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "pg_try_advisory_xact_lock" in statement:
            runs.append(statement)

    def named(name: str) -> Callable[[Json], bool]:
        return lambda message: bool(message["payload"]["name"] == name)

    writes = 10
    event.listen(engine, "before_cursor_execute", record)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with ws_connect(server, erin) as ws:
            for i in range(writes):
                renamed = {"name": f"renamed {i}"}
                r = await client.put(
                    f"{API}/notebooks/{book['id']}", json=renamed, headers=erin.headers
                )
                ok(r)
                await next_event(ws, "notebook.updated", match=named(renamed["name"]))
            await asyncio.sleep(0.5)  # a second run per write would have started by now
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # One run per write, and one per fallback poll the test outlasted.
    polls = (loop.time() - started) / server.settings.relay_poll_seconds
    assert 1 <= len(runs) <= writes + polls + 1, f"{len(runs)} relay runs for {writes} writes"


async def test_a_listener_ignores_notifications_of_its_own_origin_only(settings: Settings) -> None:
    """Notifications are delivered in order: once the last one has called back, the
    listener has seen the one from its own origin and left it alone."""
    import asyncpg

    calls: list[int] = []
    dsn = asyncpg_dsn(make_url(settings.effective_database_url))
    listener = PgListener(dsn, lambda: calls.append(1), retry_seconds=1, origin="this one")
    listener.start()
    loop = asyncio.get_running_loop()

    async def until(count: int) -> None:
        deadline = loop.time() + WOKEN_WITHIN
        while len(calls) < count:
            assert loop.time() < deadline, f"{len(calls)} calls, expected {count}"
            await asyncio.sleep(0.01)

    conn = await asyncpg.connect(dsn)
    try:
        await until(1)  # once listening, for what it may have missed
        for origin in ("this one", "another instance", ""):
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, origin)
        await until(3)
        await asyncio.sleep(0.2)
    finally:
        await conn.close()
        await listener.stop()
    assert len(calls) == 3, "its own notification woke it"
