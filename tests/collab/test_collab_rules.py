"""Who may do what on the co-editing socket, and what bad input gets."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from owlistic.collab import protocol
from owlistic.models import DocumentUpdate
from owlistic.settings import Settings
from tests.api.helpers import API, note_blocks, notebook_with_note, ok, share
from tests.collab.yclient import collab_url, rows_become, ydoc_client
from tests.conftest import Account, LiveServer, running_server
from tests.realtime.wsclient import WAIT


async def _denied(server: LiveServer, note_id: str, account: Account | None) -> tuple[int, str]:
    with pytest.raises(InvalidStatus) as denied:
        async with connect(collab_url(server, note_id, account), open_timeout=WAIT):
            pass
    response = denied.value.response
    return response.status_code, response.body.decode()


async def test_stranger_gets_the_rest_not_found_and_no_token_gets_401(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    status, body = await _denied(server, n["id"], bob)
    assert (status, body) == (404, '{"error":"Note not found"}')
    r = await client.get(f"{API}/notes/{n['id']}", headers=bob.headers)
    assert r.status_code == 404
    status, body = await _denied(server, n["id"], None)
    assert status == 401
    assert "token" in body
    status, body = await _denied(server, "not-a-uuid", alice)
    assert status == 422


async def test_viewer_receives_the_document_but_its_update_closes_the_socket(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    nb, n = await notebook_with_note(client, alice)
    (b,) = n["blocks"]
    ok(
        await client.put(
            f"{API}/blocks/{b['id']}", json={"content": {"text": "mine"}}, headers=alice.headers
        )
    )
    await share(client, alice, nb["id"], bob, "viewer")
    async with (
        ydoc_client(server, n["id"], alice) as owner,
        ydoc_client(server, n["id"], bob) as viewer,
    ):
        assert viewer.texts() == ["mine"]
        viewer.insert_text(0, 0, "not ")
        code, reason = await viewer.closed()
        assert code == 4403
        assert "read-only" in reason
        owner.insert_text(0, 4, "!")  # the owner's socket is unaffected
        await rows_become(client, alice, n["id"], ["mine!"])


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00\x02\x05\x01\x02", 4400),  # update payload shorter than its length
        (b"\x00\x02\x03\xff\xff\xff", 4400),  # not a Yjs update
        (b"\x07\x00", 4400),  # unknown message type
        (b"\x00\x02\x02\x00\x00\x00", 4400),  # trailing bytes
    ],
)
async def test_malformed_frames_close_with_4400_and_change_nothing(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, frame: bytes, code: int
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with (
        ydoc_client(server, n["id"], alice) as bad,
        ydoc_client(server, n["id"], alice) as good,
    ):
        await bad.ws.send(frame)
        got, reason = await bad.closed()
        assert got == code
        assert reason
        good.append_paragraph("still fine")
        await good.wait_until(lambda: any(i for i, _, _ in good.blocks()[1:]))
    await rows_become(client, alice, n["id"], ["", "still fine"])


async def test_oversized_message_closes_with_1009(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    limit = server.settings.collab_max_message_bytes
    async with ydoc_client(server, n["id"], alice) as editor:
        await editor.ws.send(protocol.update_frame(b"\x00" * (limit + 1)))
        code, reason = await editor.closed()
        assert code == 1009
        assert "too big" in reason


async def _logged_updates(server: LiveServer, note_id: str) -> int:
    async with server.app.state.runtime.db.session(readonly=True) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(DocumentUpdate)
            .where(DocumentUpdate.note_id == uuid.UUID(note_id))
        )
    return int(count or 0)


async def test_updates_that_change_nothing_are_accepted_silently(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with (
        ydoc_client(server, n["id"], alice) as one,
        ydoc_client(server, n["id"], alice) as two,
    ):
        before = one.doc.get_state()
        one.insert_text(0, 0, "typed once")
        own = one.doc.get_update(before)
        await two.wait_until(lambda: two.texts() == ["typed once"])
        await rows_become(client, alice, n["id"], ["typed once"])
        logged = await _logged_updates(server, n["id"])
        noops = [
            protocol.EMPTY_UPDATE,  # empty
            protocol.EMPTY_UPDATE,  # empty, twice
            own,  # its own update, sent again
            one.doc.get_update(),  # the whole document, all of it known
        ]
        for update in noops:
            await one.ws.send(protocol.update_frame(update))
        await two.ws.send(protocol.update_frame(one.doc.get_update()))  # known from another
        # Both connections stay open and usable; the no-ops reached nobody and the log.
        one.insert_text(0, 10, "!")
        await two.wait_until(lambda: two.texts() == ["typed once!"])
        two.insert_text(0, 0, ">")
        await one.wait_until(lambda: one.texts() == [">typed once!"])
        await rows_become(client, alice, n["id"], [">typed once!"])
        assert await _logged_updates(server, n["id"]) == logged + 2


async def test_an_update_making_the_document_too_big_closes_only_its_sender(
    settings: Settings, client: httpx.AsyncClient, alice: Account
) -> None:
    limit = 20_000
    chunk = "x" * 6_000
    async with running_server(
        settings.model_copy(update={"collab_max_document_bytes": limit})
    ) as live:
        _, n = await notebook_with_note(client, alice)
        async with (
            ydoc_client(live, n["id"], alice) as big,
            ydoc_client(live, n["id"], alice) as other,
        ):
            for written in range(1, 4):
                big.insert_text(0, 0, chunk)
                expected = [chunk * written]
                await other.wait_until(lambda: other.texts() == expected)  # noqa: B023
            big.insert_text(0, 0, chunk)  # over the limit
            code, reason = await big.closed()
            assert code == 4413
            assert "too big" in reason
            assert str(limit) in reason
            other.insert_text(0, 0, "still ")  # the others keep editing
            await rows_become(client, alice, n["id"], ["still " + chunk * 3])
            assert other.texts() == ["still " + chunk * 3]
        async with ydoc_client(live, n["id"], alice) as fresh:
            assert fresh.texts() == ["still " + chunk * 3]


async def test_awareness_is_relayed_and_spam_closes_with_4429(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with (
        ydoc_client(server, n["id"], alice) as one,
        ydoc_client(server, n["id"], alice) as two,
    ):
        state = '{"user":{"name":"Ann","color":"#f00"}}'
        await one.ws.send(protocol.awareness_frame(protocol.encode_awareness([(7, 1, state)])))
        await two.wait_until(lambda: two.awareness.get(7) == state)
        for clock in range(2, 2 + server.settings.collab_awareness_burst + 5):
            await one.ws.send(
                protocol.awareness_frame(protocol.encode_awareness([(7, clock, state)]))
            )
        code, reason = await one.closed()
        assert code == 4429
        assert "awareness" in reason
        # leaving removes the presence from the others
        await two.wait_until(lambda: 7 not in two.awareness)


async def test_rest_put_is_merged_into_an_open_editor(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    (b,) = n["blocks"]
    ok(
        await client.put(
            f"{API}/blocks/{b['id']}", json={"content": {"text": "abc"}}, headers=alice.headers
        )
    )
    async with ydoc_client(server, n["id"], alice) as editor:
        editor.insert_text(0, 3, " typed")
        await editor.wait_until(lambda: editor.texts() == ["abc typed"])
        ok(
            await client.put(
                f"{API}/blocks/{b['id']}",
                json={"content": {"text": "ABC typed"}},
                headers=alice.headers,
            )
        )
        await editor.wait_until(lambda: editor.texts() == ["ABC typed"])
        created = ok(
            await client.post(
                f"{API}/blocks",
                json={"note_id": n["id"], "type": "task", "content": {"text": "todo"}},
                headers=alice.headers,
            ),
            201,
        )
        await editor.wait_until(lambda: len(editor.blocks()) == 2)
        assert editor.blocks()[1] == (created["id"], "taskBlock", "todo")
    rows = await note_blocks(client, alice, n["id"])
    assert [r["content"]["text"] for r in rows] == ["ABC typed", "todo"]
