"""The co-editing endpoint over a real socket: sync, storage and the block projection."""

from __future__ import annotations

import asyncio

import httpx

from owlistic.collab.projection import ROWS_PER_FLUSH
from owlistic.collab.room import IDS_PER_TRANSACTION
from tests.api.helpers import API, block, notebook_with_note, ok
from tests.collab.yclient import YClient, rows_become, ydoc_client
from tests.conftest import Account, LiveServer


async def test_existing_blocks_seed_the_document_with_their_ids(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    assert len(n["blocks"]) == 1  # a new note has one empty block
    first = await block(client, alice, n["id"], text="first")
    second = await block(
        client, alice, n["id"], text="second", type="header", metadata={"level": 2}
    )
    async with ydoc_client(server, n["id"], alice) as editor:
        # The initial empty block is left out once other blocks follow it.
        assert editor.blocks() == [
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
    # The server's id reaches the editors at once, the rows with the commit after it.
    rows = await rows_become(client, alice, n["id"], ["hello world", "second line"])
    assert [(r["id"], r["content"]["text"]) for r in rows] == [
        (b["id"], "hello world"),
        (new_id, "second line"),
    ]


async def test_a_big_paste_gets_unique_ids_and_rows_while_another_editor_types(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    (b,) = n["blocks"]
    # More than one slice of id assignments and of row flushes; every other node pasted
    # without an id, the rest with a copy of an existing one (as a split or paste does).
    count = 2 * max(IDS_PER_TRANSACTION, ROWS_PER_FLUSH) + 1
    async with (
        ydoc_client(server, n["id"], alice) as one,
        ydoc_client(server, n["id"], alice) as two,
    ):
        with one.doc.transaction():
            for i in range(count):
                one.append_paragraph(f"pasted {i}", b["id"] if i % 2 else None)
        for _ in range(20):
            two.insert_text(0, 0, "x")
            await asyncio.sleep(0)

        expected = ["x" * 20] + [f"pasted {i}" for i in range(count)]

        async def settled(editor: YClient) -> None:
            def done() -> bool:
                ids = [i for i, _, _ in editor.blocks()]
                unique = None not in ids and len(set(ids)) == len(ids)
                return unique and editor.texts() == expected

            await editor.wait_until(done)

        # Each one on its own changes (the server gives every node its id once).
        await asyncio.gather(settled(one), settled(two))
        assert one.blocks() == two.blocks()
    rows = await rows_become(client, alice, n["id"], expected)
    assert [r["id"] for r in rows] == [i for i, _, _ in one.blocks()]
    assert rows[0]["id"] == b["id"]
