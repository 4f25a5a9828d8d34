"""Kafka goes away, or refuses a batch: writes keep succeeding, a row is marked dispatched
only once Kafka acknowledged it, what was acknowledged before a failure stays dispatched,
and every event arrives once Kafka takes it.

Collected only when a shared broker is configured (see conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events.broker import BrokerUnavailable, Message, create_broker, entity_topics
from owlistic.events.outbox import append_row
from owlistic.events.relay import OutboxRelay
from owlistic.kit.db import Database
from owlistic.migrations.runner import upgrade
from owlistic.models import OutboxEvent
from owlistic.settings import Settings
from tests.api.helpers import API, notebook_with_note, ok
from tests.conftest import Account, LiveServer, drop_topics, run_database
from tests.realtime.test_revocation import make_admin
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


async def wait_backlog_empty(client: httpx.AsyncClient, account: Account) -> None:
    """The relay marks a row dispatched after Kafka acknowledged it, so a consumer (the
    socket) can see an event before its row stops being pending; and a send that timed out
    after Kafka stored it is sent again after the relay's backoff. Either way the backlog
    drains on its own."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECOVERY
    while (
        pending := ok(await client.get(f"{API}/admin/outbox", headers=account.headers))["pending"]
    ) != 0:
        assert loop.time() < deadline, f"{pending} events still pending"
        await asyncio.sleep(0.5)


async def test_writes_survive_a_kafka_outage_and_events_follow(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    await make_admin(server.app.state.runtime, alice)  # to read the outbox backlog
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
            # Acknowledged while Kafka is away, and waiting in the outbox: writes never wait for it.
            for i in range(WRITES):
                r = await client.put(
                    f"{API}/notes/{n['id']}", json={"title": f"during {i}"}, headers=alice.headers
                )
                assert r.status_code == 200, r.text
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
        await wait_backlog_empty(client, alice)


BATCH = 50
# Over the broker's default message.max.bytes (1 MiB): Kafka refuses the batch holding it.
TOO_BIG = 1_100_000


async def test_a_refused_batch_stays_pending_and_what_was_acknowledged_before_it_does_not(
    settings: Settings, tmp_path: Path
) -> None:
    """The relay sends batch after batch (on PostgreSQL several in one transaction): when
    Kafka refuses one, every batch acknowledged before it is dispatched, in ``seq`` order,
    and that batch and everything after it stay pending."""
    async with run_database(tmp_path / "refused.db") as url:
        custom = settings.model_copy(
            update={
                "database_url": url,
                "relay_batch_size": BATCH,
                "kafka_topic_prefix": f"owltest{uuid.uuid4().hex[:8]}.",
            }
        )
        db = Database(custom)
        broker = create_broker(custom)
        try:
            await upgrade(db.engine)
            await broker.start()
            subscription = await broker.subscribe(entity_topics(custom))
            keys = [f"note-{i}" for i in range(4)]  # several keys, so several partitions
            async with db.session() as session:
                for i in range(3 * BATCH + 10):
                    emit_event(session, keys[i % len(keys)], f"t{i}")
                emit_event(session, keys[0], "x" * TOO_BIG)  # in the fourth batch
                for i in range(3 * BATCH + 10, 4 * BATCH + 20):
                    emit_event(session, keys[i % len(keys)], f"t{i}")
            relay = OutboxRelay(db, broker, custom)

            with pytest.raises(BrokerUnavailable):
                await relay_until_it_fails(relay)

            async with db.session(readonly=True) as session:
                rows = (
                    await session.execute(
                        select(OutboxEvent.seq, OutboxEvent.dispatched).order_by(OutboxEvent.seq)
                    )
                ).all()
            assert [r.dispatched for r in rows] == [True] * (3 * BATCH) + [False] * (
                len(rows) - 3 * BATCH
            )
            received: dict[str, list[str]] = {}
            async with asyncio.timeout(30):
                while sum(len(v) for v in received.values()) < 3 * BATCH:
                    message: Message = await anext(subscription)
                    title = json.loads(message.value)["payload"]["title"]
                    if int(title[1:]) < 3 * BATCH:
                        received.setdefault(message.key, []).append(title)
            for i, key in enumerate(keys):  # each key in order, none missing
                assert received[key] == [f"t{n}" for n in range(i, 3 * BATCH, len(keys))]

            async with db.session() as session:  # without the refused event all goes out
                await session.execute(
                    delete(OutboxEvent).where(OutboxEvent.seq == rows[3 * BATCH + 10].seq)
                )
            while await relay.relay_once():
                pass
            async with db.session(readonly=True) as session:
                pending = await session.scalar(
                    select(OutboxEvent.seq).where(OutboxEvent.dispatched.is_(False)).limit(1)
                )
            assert pending is None
            await subscription.close()
        finally:
            await broker.stop()
            await db.dispose()
            with contextlib.suppress(Exception):
                await drop_topics(custom)


async def relay_until_it_fails(relay: OutboxRelay) -> None:
    for _ in range(10):  # SQLite: a batch per call; PostgreSQL: batches in one transaction
        await relay.relay_once()


def emit_event(session: AsyncSession, key: str, title: str) -> None:
    append_row(
        session,
        event="note.updated",
        entity="note",
        data={"note_id": key, "title": title},
        key=key,
        resource_type="note",
        resource_id=key,
        audience=["u1"],
    )
