"""``?since=<event id>``: what a reconnecting client missed, in order, without duplicates."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.api.helpers import API, notebook, notebook_with_note, ok
from tests.conftest import Account, LiveServer
from tests.realtime.conftest import ExtraServerFactory
from tests.realtime.wsclient import assert_silent, next_event, receive, ws_connect


async def rename(client: httpx.AsyncClient, who: Account, note_id: str, title: str) -> None:
    ok(await client.put(f"{API}/notes/{note_id}", json={"title": title}, headers=who.headers))


async def test_resume_replays_missed_events_in_order_then_continues_live(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ws_connect(server, alice) as ws:
        await rename(client, alice, n["id"], "seen")
        seen = await next_event(ws, "note.updated")
    last_seen = seen["payload"]["event_id"]

    for i in range(5):  # while disconnected
        await rename(client, alice, n["id"], f"missed {i}")

    async with ws_connect(server, alice, since=last_seen) as ws:
        replayed = [await next_event(ws) for _ in range(5)]
        await rename(client, alice, n["id"], "live")
        live = await next_event(ws)
        await assert_silent(ws)

    assert [m["payload"]["title"] for m in replayed] == [f"missed {i}" for i in range(5)]
    assert live["payload"]["title"] == "live"
    event_ids = [m["payload"]["event_id"] for m in [*replayed, live]]
    assert len(set(event_ids)) == 6
    assert last_seen not in event_ids


async def test_resume_during_concurrent_writes_has_no_gap_and_no_duplicate(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ws_connect(server, alice) as ws:
        await rename(client, alice, n["id"], "start")
        start = (await next_event(ws, "note.updated"))["payload"]["event_id"]

    total = 30

    async def writer() -> None:
        for i in range(total):
            await rename(client, alice, n["id"], f"w{i}")

    writing = asyncio.create_task(writer())
    await asyncio.sleep(0.05)  # reconnect while the writes are under way
    async with ws_connect(server, alice, since=start) as ws:
        titles: list[str] = []
        event_ids: list[str] = []
        while len(titles) < total:
            message = await next_event(ws, "note.updated")
            titles.append(message["payload"]["title"])
            event_ids.append(message["payload"]["event_id"])
        await writing
        await assert_silent(ws)

    assert titles == [f"w{i}" for i in range(total)]
    assert len(set(event_ids)) == total


async def test_unknown_since_asks_for_a_resync_then_continues_live(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    async with ws_connect(server, alice, since=str(uuid.uuid4())) as ws:
        first = await receive(ws)
        nb = await notebook(client, alice)
        live = await next_event(ws, "notebook.created")
    assert (first["type"], first["event"]) == ("error", "resync_required")
    assert first["payload"]["message"]
    assert live["resource_id"] == nb["id"]


async def test_since_of_an_event_the_user_could_not_see_is_unknown(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    async with ws_connect(server, alice) as ws:
        await notebook(client, alice)
        alices = (await next_event(ws, "notebook.created"))["payload"]["event_id"]
    async with ws_connect(server, bob, since=alices) as ws:
        first = await receive(ws)
    assert first["event"] == "resync_required"


async def test_malformed_since_asks_for_a_resync(server: LiveServer, alice: Account) -> None:
    async with ws_connect(server, alice, since="yesterday") as ws:
        first = await receive(ws)
    assert first["event"] == "resync_required"


async def test_too_many_missed_events_ask_for_a_resync(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, extra_server: ExtraServerFactory
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ws_connect(server, alice) as ws:
        await rename(client, alice, n["id"], "seen")
        seen = (await next_event(ws, "note.updated"))["payload"]["event_id"]
    for i in range(3):
        await rename(client, alice, n["id"], f"missed {i}")

    async with extra_server(ws_resume_limit=3) as srv:
        async with ws_connect(srv, alice, since=seen) as ws:
            exactly = [(await next_event(ws))["payload"]["title"] for _ in range(3)]
        await rename(client, alice, n["id"], "one too many")
        async with ws_connect(srv, alice, since=seen) as ws:
            first = await receive(ws)
    assert exactly == [f"missed {i}" for i in range(3)]
    assert (first["type"], first["event"]) == ("error", "resync_required")
