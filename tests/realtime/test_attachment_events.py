"""Attachment events reach the note's readers live, and nobody else."""

from __future__ import annotations

import httpx

from tests.api.helpers import API, notebook_with_note, ok, share
from tests.conftest import Account, LiveServer
from tests.realtime.wsclient import assert_silent, next_event, ws_connect


async def test_created_and_deleted_reach_a_viewer_not_a_stranger(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    nb, n = await notebook_with_note(client, alice)
    async with ws_connect(server, bob) as stranger_ws:
        async with ws_connect(server, alice) as alice_ws:
            r = await client.post(
                f"{API}/attachments",
                data={"note_id": n["id"]},
                files={"file": ("notes.txt", b"hello attachments", "text/plain")},
                headers=alice.headers,
            )
            body = ok(r, 201)
            created = await next_event(alice_ws, "attachment.created")
        assert created["resource_type"] == "attachment"
        assert created["resource_id"] == body["id"]
        payload = created["payload"]
        assert payload["note_id"] == n["id"]
        assert (payload["name"], payload["media_type"], payload["size"]) == (
            "notes.txt",
            "text/plain",
            len(b"hello attachments"),
        )
        await assert_silent(stranger_ws)

    await share(client, alice, nb["id"], bob, "viewer")
    async with ws_connect(server, bob) as viewer_ws:
        ok(await client.delete(f"{API}/attachments/{body['id']}", headers=alice.headers), 204)
        deleted = await next_event(viewer_ws, "attachment.deleted")
    assert deleted["resource_id"] == body["id"]
    assert deleted["payload"]["note_id"] == n["id"]
