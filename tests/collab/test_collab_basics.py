"""The co-editing endpoint over a real socket: sync, storage and the block projection."""

from __future__ import annotations

import httpx

from tests.api.helpers import API, block, note_blocks, notebook_with_note, ok
from tests.collab.yclient import ydoc_client
from tests.conftest import Account, LiveServer


async def test_existing_blocks_seed_the_document_with_their_ids(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    (empty,) = n["blocks"]  # a new note has one empty block
    first = await block(client, alice, n["id"], text="first")
    second = await block(
        client, alice, n["id"], text="second", type="header", metadata={"level": 2}
    )
    async with ydoc_client(server, n["id"], alice) as editor:
        assert editor.blocks() == [
            (empty["id"], "paragraph", ""),
            (first["id"], "paragraph", "first"),
            (second["id"], "heading", "second"),
        ]


async def test_typing_reaches_the_other_editor_and_the_block_rows(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    (b,) = n["blocks"]
    ok(
        await client.put(
            f"{API}/blocks/{b['id']}", json={"content": {"text": "hello"}}, headers=alice.headers
        )
    )
    async with (
        ydoc_client(server, n["id"], alice) as one,
        ydoc_client(server, n["id"], alice) as two,
    ):
        one.insert_text(0, 5, " world")
        await two.wait_until(lambda: two.texts() == ["hello world"])
        two.append_paragraph("second line")
        await one.wait_until(lambda: one.texts() == ["hello world", "second line"])
        new_id = None

        def has_id() -> bool:
            nonlocal new_id
            new_id = one.blocks()[1][0]
            return new_id is not None

        await one.wait_until(has_id)
    rows = await note_blocks(client, alice, n["id"])
    assert [(r["id"], r["content"]["text"]) for r in rows] == [
        (b["id"], "hello world"),
        (new_id, "second line"),
    ]
