"""Tags, pins and favourites reach the user's other devices (and only the right users)."""

from __future__ import annotations

import httpx

from tests.api.helpers import API, note, notebook, ok, share
from tests.conftest import LiveServer, register
from tests.realtime.wsclient import assert_silent, next_event, ws_connect


async def test_tags_pins_and_renames_are_note_updates(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    me, viewer = await register(client), await register(client)
    nb = await notebook(client, me)
    n = await note(client, me, nb["id"])
    await share(client, me, nb["id"], viewer, "viewer")
    async with ws_connect(server, me) as mine, ws_connect(server, viewer) as theirs:
        r = await client.put(
            f"{API}/notes/{n['id']}", json={"tags": ["Work"], "pinned": True}, headers=me.headers
        )
        ok(r)
        for ws in (mine, theirs):
            payload = (await next_event(ws, "note.updated"))["payload"]
            assert (payload["note_id"], payload["tags"], payload["pinned"]) == (
                n["id"],
                ["work"],
                True,
            )
        r = await client.post(
            f"{API}/tags/rename", json={"from": "work", "to": "job"}, headers=me.headers
        )
        ok(r)
        payload = (await next_event(theirs, "note.updated"))["payload"]
        assert (payload["note_id"], payload["tags"]) == (n["id"], ["job"])


async def test_favourites_reach_only_their_user(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    me, viewer = await register(client), await register(client)
    nb = await notebook(client, me)
    n = await note(client, me, nb["id"])
    await share(client, me, nb["id"], viewer, "viewer")
    async with ws_connect(server, me) as mine, ws_connect(server, viewer) as theirs:
        ok(await client.put(f"{API}/favourites/{n['id']}", headers=me.headers), 204)
        message = await next_event(mine, "note.favourited")
        assert message["payload"]["note_id"] == n["id"]
        ok(await client.delete(f"{API}/favourites/{n['id']}", headers=me.headers), 204)
        assert (await next_event(mine, "note.unfavourited"))["payload"]["note_id"] == n["id"]
        await assert_silent(theirs)
