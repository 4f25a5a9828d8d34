"""Client -> server messages (contract 7.3) and the upgrade's authentication (2.12)."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.api.helpers import notebook
from tests.conftest import Account, LiveServer
from tests.realtime.wsclient import (
    WAIT,
    assert_silent,
    next_event,
    receive,
    send,
    ws_connect,
    ws_url,
)


async def test_ping_gets_pong(server: LiveServer, alice: Account) -> None:
    async with ws_connect(server, alice) as ws:
        await send(ws, {"type": "ping"})
        reply = await receive(ws)
    assert reply["type"] == "pong"
    assert reply["event"] == "pong"
    assert reply["payload"] is None
    assert {"id", "timestamp"} <= set(reply)


async def test_resource_subscription_is_confirmed(server: LiveServer, alice: Account) -> None:
    async with ws_connect(server, alice) as ws:
        await send(ws, {"type": "subscribe", "payload": {"resource": "note", "id": "n1"}})
        with_id = await receive(ws)
        await send(ws, {"type": "subscribe", "payload": {"resource": "notebook"}})
        without_id = await receive(ws)
        await send(ws, {"type": "unsubscribe", "payload": {"resource": "note", "id": "n1"}})
        gone = await receive(ws)
    assert (with_id["type"], with_id["event"]) == ("subscription", "confirmed")
    assert with_id["payload"] == {"resource": "note", "id": "n1"}
    assert without_id["payload"] == {"resource": "notebook"}
    assert (gone["type"], gone["event"]) == ("unsubscription", "confirmed")
    assert gone["payload"] == {"resource": "note", "id": "n1"}


@pytest.mark.parametrize(
    "message",
    [
        {"type": "subscribe", "payload": {"event_type": "note.created"}},  # the Flutter client
        {"type": "subscribe", "event": "note.created", "payload": {"x": 1}},  # upstream HEAD
    ],
    ids=["payload-event_type", "top-level-event"],
)
async def test_event_subscription_is_confirmed_in_both_formats(
    server: LiveServer, alice: Account, message: dict[str, object]
) -> None:
    async with ws_connect(server, alice) as ws:
        await send(ws, message)
        reply = await receive(ws)
    assert (reply["type"], reply["event"]) == ("subscription", "confirmed")
    assert reply["payload"] == {"event_type": "note.created"}


async def test_unsubscribe_from_event_type_is_confirmed(server: LiveServer, alice: Account) -> None:
    async with ws_connect(server, alice) as ws:
        await send(ws, {"type": "unsubscribe", "payload": {"event_type": "block.updated"}})
        reply = await receive(ws)
    assert (reply["type"], reply["event"]) == ("unsubscription", "confirmed")
    assert reply["payload"] == {"event_type": "block.updated"}


async def test_subscriptions_do_not_filter_delivery(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    async with ws_connect(server, alice) as ws:
        await send(ws, {"type": "subscribe", "payload": {"event_type": "task.created"}})
        await receive(ws)
        nb = await notebook(client, alice)
        message = await next_event(ws)
    assert message["event"] == "notebook.created"
    assert message["resource_id"] == nb["id"]


async def test_client_events_get_a_receipt_and_are_not_rebroadcast(
    server: LiveServer, alice: Account, bob: Account
) -> None:
    forged = {
        "id": "c0ffee",
        "type": "event",
        "event": "note.deleted",
        "resource_type": "note",
        "resource_id": "not-a-uuid",
        "payload": {"note_id": "x"},
    }
    async with (
        ws_connect(server, alice) as sender,
        ws_connect(server, alice) as twin,
        ws_connect(server, bob) as other,
    ):
        await send(sender, forged)
        reply = await receive(sender)
        assert (reply["type"], reply["event"]) == ("receipt", "confirmed")
        assert reply["payload"] == {"event_id": "c0ffee", "status": "processed"}
        await assert_silent(sender)
        await assert_silent(twin, 0.1)
        await assert_silent(other, 0.1)


async def test_unparseable_message_gets_a_parse_error_and_the_socket_stays_open(
    server: LiveServer, alice: Account
) -> None:
    async with ws_connect(server, alice) as ws:
        await ws.send("{not json")
        error = await receive(ws)
        await ws.send("[1, 2]")
        not_object = await receive(ws)
        await send(ws, {"type": "ping"})
        pong = await receive(ws)
    assert (error["type"], error["event"]) == ("error", "parse_error")
    assert error["payload"]["message"] == "Failed to parse message"
    assert error["payload"]["error"]
    assert not_object["event"] == "parse_error"
    assert pong["type"] == "pong"


async def test_unknown_message_type_is_ignored(server: LiveServer, alice: Account) -> None:
    async with ws_connect(server, alice) as ws:
        await send(ws, {"type": "presence-of-mind"})
        await send(ws, {"type": "ping"})
        reply = await receive(ws)
    assert reply["type"] == "pong"


async def test_oversized_message_closes_the_connection(server: LiveServer, alice: Account) -> None:
    limit = server.settings.ws_max_message_bytes
    async with ws_connect(server, alice) as ws:
        await ws.send(json.dumps({"type": "ping", "pad": "x" * limit}))
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_missing_token_is_refused_with_401(server: LiveServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(server, None), open_timeout=WAIT):
            pass
    assert refused.value.response.status_code == 401
    body = json.loads(refused.value.response.body or b"{}")
    assert body == {"error": "Authentication token required"}


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
async def test_invalid_token_is_refused_with_401(server: LiveServer, token: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"{server.ws_url}/ws?token={token}", open_timeout=WAIT):
            pass
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body or b"{}")["error"]


async def test_bearer_header_is_accepted(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    async with connect(
        f"{server.ws_url}/ws", additional_headers=alice.headers, open_timeout=WAIT
    ) as ws:
        nb = await notebook(client, alice)
        message = await next_event(ws, "notebook.created")
    assert message["resource_id"] == nb["id"]


async def test_revoked_token_is_refused(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    r = await client.post(
        "/api/v1/logout", headers=alice.headers, json={"refresh_token": alice.refresh_token}
    )
    assert r.status_code == 200, r.text
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(server, alice), open_timeout=WAIT):
            pass
    assert refused.value.response.status_code == 401
