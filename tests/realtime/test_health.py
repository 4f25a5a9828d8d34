"""Liveness, readiness and the outbox backlog."""

from __future__ import annotations

import httpx

from tests.api.helpers import notebook
from tests.conftest import Account, LiveServer
from tests.realtime.conftest import ExtraServerFactory
from tests.realtime.test_revocation import make_admin
from tests.realtime.wsclient import next_event, ws_connect


async def test_liveness(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/health"):
        r = await client.get(path)
        assert r.status_code == 200
        assert r.json() == {"status": "ok"}


async def test_ready_when_database_and_broker_answer(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok", "database": True, "broker": True}


async def test_not_ready_without_a_broker(extra_server: ExtraServerFactory) -> None:
    async with extra_server() as srv, httpx.AsyncClient(base_url=srv.url) as client:
        assert (await client.get("/readyz")).status_code == 200
        await srv.app.state.runtime.events.broker.stop()
        r = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "database": True, "broker": False}
    assert alive.status_code == 200


async def test_outbox_backlog_needs_a_token(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/admin/outbox")
    assert r.status_code == 401
    assert r.json()["error"]


async def test_outbox_backlog_counts_without_payloads(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    async with ws_connect(server, alice) as ws:
        await notebook(client, alice)
        await next_event(ws, "notebook.created")  # so it has been dispatched
    await make_admin(server.app.state.runtime, alice)  # the backlog is for admins only
    r = await client.get("/api/v1/admin/outbox", headers=alice.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "pending",
        "oldest_pending_age_seconds",
        "last_dispatched_seq",
        "relay_error",
    }
    assert isinstance(body["pending"], int)
    assert body["pending"] >= 0
    assert isinstance(body["last_dispatched_seq"], int)
    assert body["last_dispatched_seq"] > 0
    age = body["oldest_pending_age_seconds"]
    assert age is None if body["pending"] == 0 else age >= 0
    assert body["relay_error"] is None
