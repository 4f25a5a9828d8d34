"""The outbox relay: order, exactly the committed rows, pruning."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events import handoff
from owlistic.events.broker import Message, entity_topics
from owlistic.events.broker.base import HEADER_AUDIENCE, HEADER_EVENT_ID, HEADER_SEQ
from owlistic.events.broker.memory import MemoryBroker
from owlistic.events.envelope import OutboxRow
from owlistic.events.outbox import append_row
from owlistic.events.relay import MARK_DELAY_SECONDS, OutboxRelay
from owlistic.kit.db import Database
from owlistic.kit.time import utcnow
from owlistic.migrations.runner import upgrade
from owlistic.models import OutboxEvent
from owlistic.settings import Settings
from tests.api.helpers import notebook
from tests.conftest import Account, LiveServer, register
from tests.realtime.wsclient import next_event, receive, ws_connect


def emit_note_event(session: AsyncSession, user_id: str, title: str) -> None:
    append_row(
        session,
        event="note.updated",
        entity="note",
        data={"note_id": "n1", "notebook_id": "nb1", "title": title},
        key="n1",
        resource_type="note",
        resource_id="n1",
        audience=[user_id],
    )


async def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"not true within {seconds} s"
        await asyncio.sleep(0.01)


@pytest.fixture
def shared_db(server: LiveServer) -> Database:
    """The live server's own database."""
    db: Database = server.app.state.runtime.db
    return db


@pytest.fixture
async def private_db(tmp_path: Path, settings: Settings) -> AsyncIterator[Database]:
    """A database no running server relays from, so this test's relay is the only one."""
    db = Database(
        settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}"})
    )
    await upgrade(db.engine)
    yield db
    await db.dispose()


async def test_relay_publishes_committed_rows_in_order_once(
    private_db: Database, settings: Settings
) -> None:
    broker = MemoryBroker()
    await broker.start()
    subscription = await broker.subscribe(entity_topics(settings))
    relay = OutboxRelay(private_db, broker, settings.model_copy(update={"relay_batch_size": 7}))
    async with private_db.session() as session:
        for i in range(10):
            emit_note_event(session, "u1", f"t{i}")
    async with private_db.session() as session:
        emit_note_event(session, "u2", "t10")

    assert [await relay.relay_once(), await relay.relay_once()] == [7, 4]
    assert await relay.relay_once() == 0, "dispatched rows are not sent again"

    messages: list[Message] = [await anext(subscription) for _ in range(11)]
    titles = [json.loads(m.value)["payload"]["title"] for m in messages]
    assert titles == [f"t{i}" for i in range(11)]
    seqs = [int(m.header(HEADER_SEQ) or b"0") for m in messages]
    assert seqs == sorted(seqs)
    assert all(m.topic == f"{settings.kafka_topic_prefix}note" and m.key == "n1" for m in messages)
    assert json.loads(messages[-1].header(HEADER_AUDIENCE) or b"[]") == ["u2"]
    first = json.loads(messages[0].value)
    assert first["payload"]["event_id"] == (messages[0].header(HEADER_EVENT_ID) or b"").decode()
    assert "audience" not in json.dumps(first)

    # Marked a moment after they were sent (the rows of many commits in one transaction).
    async def marked() -> list[Any]:
        async with private_db.session(readonly=True) as session:
            states = await session.execute(
                select(OutboxEvent.dispatched, OutboxEvent.dispatched_at)
            )
            return [s.dispatched_at for s in states if s.dispatched]

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while len(await marked()) < 11:
        assert loop.time() < deadline, f"{len(await marked())} of 11 marked dispatched"
        await asyncio.sleep(0.02)
    assert all(await marked())
    await relay.stop()
    await subscription.close()


async def test_rolled_back_transaction_publishes_nothing(
    server: LiveServer, client: httpx.AsyncClient, shared_db: Database
) -> None:
    dave = await register(client)
    async with ws_connect(server, dave) as ws:

        async def failing_write() -> None:
            async with shared_db.session() as session:
                emit_note_event(session, dave.id, "rolled back")
                await session.flush()  # the row existed inside the transaction
                raise RuntimeError("the write failed after its event was recorded")

        with pytest.raises(RuntimeError):
            await failing_write()
        async with shared_db.session() as session:
            emit_note_event(session, dave.id, "committed")  # the commit wakes the relay
        first = await receive(ws)
    assert first["payload"]["title"] == "committed"


async def test_pruned_events_cannot_be_resumed_from(
    server: LiveServer,
    client: httpx.AsyncClient,
    alice: Account,
    shared_db: Database,
    settings: Settings,
) -> None:
    async with ws_connect(server, alice) as ws:
        await notebook(client, alice)
        old = (await next_event(ws, "notebook.created"))["payload"]["event_id"]
        await notebook(client, alice)
        recent = (await next_event(ws, "notebook.created"))["payload"]["event_id"]
    async with shared_db.session() as session:  # age the first one past retention
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == uuid.UUID(old))
            .values(dispatched_at=utcnow() - timedelta(hours=settings.outbox_retention_hours + 1))
        )
    await OutboxRelay(shared_db, MemoryBroker(), settings).prune()

    async with shared_db.session(readonly=True) as session:
        remaining = set(
            (
                await session.scalars(
                    select(OutboxEvent.id).where(
                        OutboxEvent.id.in_([uuid.UUID(old), uuid.UUID(recent)])
                    )
                )
            ).all()
        )
    assert remaining == {uuid.UUID(recent)}
    async with ws_connect(server, alice, since=old) as ws:
        assert (await receive(ws))["event"] == "resync_required"


async def test_hand_over_gives_exactly_the_committed_rows(private_db: Database) -> None:
    received: list[list[str]] = []

    def sink(rows: Sequence[OutboxRow]) -> None:
        received.append([r.data["title"] for r in rows])

    engine = private_db.engine.sync_engine
    handoff.register(engine, sink)
    try:
        async with private_db.session() as session:
            emit_note_event(session, "u1", "kept")
            await session.flush()
            savepoint = await session.begin_nested()
            emit_note_event(session, "u1", "savepoint rolled back")
            await session.flush()
            await savepoint.rollback()

        async def failing_write() -> None:
            async with private_db.session() as session:
                emit_note_event(session, "u1", "transaction rolled back")
                await session.flush()
                raise RuntimeError("failed")

        with pytest.raises(RuntimeError):
            await failing_write()

        async with private_db.session() as session:
            emit_note_event(session, "u1", "expired")
            await session.flush()
            session.expire_all()  # the outbox inserts what emit built, at commit: complete
    finally:
        handoff.unregister(engine)
    assert received == [["kept"], ["expired"]]


async def test_a_row_another_process_wrote_is_relayed_while_local_writes_keep_waking_it(
    private_db: Database, settings: Settings
) -> None:
    """A local commit hands its rows to the relay, and its second wake-up (the commit's
    callback) must not cost a scan of the outbox each time; a row committed through
    another engine (the CLI, another process) is handed to nobody and is still found by a
    scan within the poll interval, however busy the local writers keep the relay."""
    poll = 0.5
    broker = MemoryBroker()
    await broker.start()
    subscription = await broker.subscribe(entity_topics(settings))
    relay = OutboxRelay(
        private_db, broker, settings.model_copy(update={"relay_poll_seconds": poll})
    )
    engine = private_db.engine.sync_engine
    handoff.register(engine, relay.rows_committed)
    private_db.on_outbox_commit(relay.wake)
    scans: list[str] = []
    marks: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM events" in statement and "NOT events.dispatched" in statement:
            scans.append(statement)
        if statement.startswith("UPDATE events SET dispatched"):
            marks.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    other = Database(settings.model_copy(update={"database_url": private_db.url}))
    relay.start()
    titles: list[str] = []
    loop = asyncio.get_running_loop()
    arrived: dict[str, float] = {}

    async def drain() -> None:
        while True:
            message = await anext(subscription)
            titles.append(json.loads(message.value)["payload"]["title"])
            arrived[titles[-1]] = loop.time()

    draining = asyncio.create_task(drain())
    try:
        async with private_db.session() as session:
            emit_note_event(session, "u1", "local 0")
        await wait_until(lambda: titles == ["local 0"], 5)
        await asyncio.sleep(2 * MARK_DELAY_SECONDS)
        scans.clear()
        marks.clear()
        async with other.session() as session:
            emit_note_event(session, "u1", "from another process")
        started = loop.time()
        writes = 20
        for i in range(1, writes + 1):
            async with private_db.session() as session:
                emit_note_event(session, "u1", f"local {i}")
            await asyncio.sleep(0.005)
        await wait_until(lambda: "from another process" in titles, 5)
        await wait_until(lambda: f"local {writes}" in titles, 5)
        elapsed = loop.time() - started
        await asyncio.sleep(2 * MARK_DELAY_SECONDS)
    finally:
        draining.cancel()
        await relay.stop()
        handoff.unregister(engine)
        event.remove(engine, "before_cursor_execute", record)
        await other.dispose()
        await subscription.close()
    found = arrived["from another process"] - started
    assert found < 3 * poll, f"found after {found:.2f} s, the poll interval is {poll} s"
    assert sorted(titles) == sorted(
        ["local 0", "from another process"] + [f"local {i}" for i in range(1, writes + 1)]
    ), "every row once"
    # One scan per poll interval at most, not one per local write.
    assert len(scans) <= elapsed / poll + 1, f"{len(scans)} scans for {writes} local writes"
    # The sent rows are marked in one transaction per mark delay (and one per scan), not
    # one per commit.
    most = (elapsed + 2 * MARK_DELAY_SECONDS) / MARK_DELAY_SECONDS + len(scans) + 1
    assert 1 <= len(marks) <= most, f"{len(marks)} marks for {writes} local writes"
