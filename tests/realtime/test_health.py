"""Liveness, readiness and the outbox backlog."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from owlistic.models import OutboxEvent
from tests.api.helpers import notebook, ok
from tests.conftest import START_TIMEOUT, Account, LiveServer
from tests.realtime.conftest import ExtraServerFactory
from tests.realtime.test_revocation import make_admin

WAIT = 60.0
READY = {"status": "ok", "database": True, "broker": True}


async def readiness_becomes(client: httpx.AsyncClient, body: dict[str, object]) -> int:
    """Asks ``/readyz`` until it answers ``body``; returns the status code. Each of its checks
    has 2-3 s, which a loaded machine exceeds now and then (Kafka's metadata for a minute
    once): that answer is not the one waited for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT  # as long as a started server may take to be ready
    while (r := await client.get("/readyz")).json() != body:
        assert loop.time() < deadline, r.text
        await asyncio.sleep(0.2)
    return r.status_code


async def test_liveness(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/health"):
        r = await client.get(path)
        assert r.status_code == 200
        assert r.json() == {"status": "ok"}


async def test_ready_when_database_and_broker_answer(client: httpx.AsyncClient) -> None:
    assert await readiness_becomes(client, READY) == 200


async def test_not_ready_without_a_broker(extra_server: ExtraServerFactory) -> None:
    async with extra_server() as srv, httpx.AsyncClient(base_url=srv.url, timeout=30) as client:
        assert await readiness_becomes(client, READY) == 200
        await srv.app.state.runtime.events.broker.stop()
        unready = {"status": "unavailable", "database": True, "broker": False}
        assert await readiness_becomes(client, unready) == 503
        alive = await client.get("/healthz")
    assert alive.status_code == 200


async def test_outbox_backlog_needs_a_token(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/admin/outbox")
    assert r.status_code == 401
    assert r.json()["error"]


async def test_outbox_backlog_counts_without_payloads(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    runtime = server.app.state.runtime
    made = await notebook(client, alice)
    async with runtime.db.session(readonly=True) as session:
        seq = await session.scalar(
            select(OutboxEvent.seq).where(
                OutboxEvent.event == "notebook.created", OutboxEvent.resource_id == made["id"]
            )
        )
    assert seq is not None
    await make_admin(runtime, alice)  # the backlog is for admins only
    # A row is marked dispatched only after the broker acknowledged it: wait for that.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while (body := ok(await client.get("/api/v1/admin/outbox", headers=alice.headers)))["pending"]:
        assert loop.time() < deadline, body
        await asyncio.sleep(0.2)
    assert body == {
        "pending": 0,
        "oldest_pending_age_seconds": None,
        "last_dispatched_seq": body["last_dispatched_seq"],
        "relay_error": None,
    }
    assert body["last_dispatched_seq"] >= seq
