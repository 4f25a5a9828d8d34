"""Events of REST writes reach exactly the connections whose user may read them."""

from __future__ import annotations

import uuid

import httpx

from tests.api.helpers import API, note, notebook, notebook_with_note, ok, share
from tests.conftest import Account, LiveServer, register
from tests.realtime.wsclient import assert_silent, next_event, receive, ws_connect

ENVELOPE_KEYS = {"id", "type", "event", "timestamp", "payload", "resource_id", "resource_type"}


async def test_write_reaches_the_writers_other_connection_as_a_contract_envelope(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    async with ws_connect(server, alice) as ws:
        nb = await notebook(client, alice, "Groceries")
        message = await next_event(ws, "notebook.created")

    assert set(message) == ENVELOPE_KEYS
    assert message["type"] == "event"
    assert message["resource_type"] == "notebook"
    assert message["resource_id"] == nb["id"]
    uuid.UUID(message["id"])
    payload = message["payload"]
    assert payload["notebook_id"] == nb["id"]
    assert payload["name"] == "Groceries"
    assert payload["entity"] == "notebook"
    assert payload["type"] == "notebook.created"
    uuid.UUID(payload["event_id"])
    assert payload["event_id"] != message["id"], "envelope id is per message, event_id per event"
    assert "audience" not in message
    assert "audience" not in payload


async def test_both_ws_paths_deliver(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    async with (
        ws_connect(server, alice, "/ws") as first,
        ws_connect(server, alice, "/api/v1/ws") as second,
    ):
        nb = await notebook(client, alice)
        for ws in (first, second):
            message = await next_event(ws, "notebook.created")
            assert message["resource_id"] == nb["id"]


async def test_unrelated_user_receives_nothing(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    async with ws_connect(server, bob) as bob_ws, ws_connect(server, alice) as alice_ws:
        nb, n = await notebook_with_note(client, alice)
        ok(
            await client.put(
                f"{API}/notes/{n['id']}", json={"title": "secret plans"}, headers=alice.headers
            )
        )
        await next_event(alice_ws, "note.updated")  # alice's events are out
        await assert_silent(bob_ws)
        # Bob's own write comes first and alone: none of alice's events was queued for him.
        own = await notebook(client, bob, "Bob's")
        first = await receive(bob_ws)
        assert first["event"] == "notebook.created"
        assert first["resource_id"] == own["id"]
        await assert_silent(bob_ws)
        assert nb["id"] != own["id"]


async def test_shared_notebook_events_reach_the_collaborator(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    nb = await notebook(client, alice, "Shared")
    async with ws_connect(server, bob) as bob_ws:
        await share(client, alice, nb["id"], bob, "editor")
        n = await note(client, alice, nb["id"], "For Bob")
        message = await next_event(bob_ws, "note.created")
        assert message["resource_id"] == n["id"]
        assert message["payload"]["notebook_id"] == nb["id"]

        # And after the share is withdrawn, nothing more.
        r = await client.delete(
            f"{API}/notebooks/{nb['id']}/shares/{bob.id}", headers=alice.headers
        )
        assert r.status_code in (200, 204), r.text
        await note(client, alice, nb["id"], "Not for Bob")
        own = await notebook(client, bob)
        latest = await next_event(bob_ws, "notebook.created")
        assert latest["resource_id"] == own["id"]


async def test_failed_request_emits_nothing(server: LiveServer, client: httpx.AsyncClient) -> None:
    carol = await register(client)
    async with ws_connect(server, carol) as ws:
        nb = await notebook(client, carol)
        await next_event(ws, "notebook.created")
        # Refused by validation / not found: nothing is committed, so nothing is published.
        r = await client.put(
            f"{API}/notebooks/{uuid.uuid4()}", json={"name": "x"}, headers=carol.headers
        )
        assert r.status_code == 404
        r = await client.post(
            f"{API}/notes", json={"notebook_id": "not-a-uuid"}, headers=carol.headers
        )
        assert r.status_code == 422
        n = await note(client, carol, nb["id"])
        first = await receive(ws)
        assert first["event"] == "note.created"
        assert first["resource_id"] == n["id"]
