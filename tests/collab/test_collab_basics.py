"""The co-editing endpoint over a real socket: sync, storage and the block projection."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from pycrdt import XmlElement, XmlText
from sqlalchemy import event

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


async def test_moving_a_block_leaves_its_search_index_row_alone(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    """A move rewrites the row's order only: nothing indexed changed, so the index is not
    rewritten (a text edit still is)."""
    words = [f"zqmove{uuid.uuid4().hex[:8]}" for _ in range(4)]
    _, n = await notebook_with_note(client, alice)
    first, second, third = [await block(client, alice, n["id"], text=word) for word in words[:3]]
    seen: list[str] = []
    engine = server.app.state.runtime.db.engine.sync_engine

    def record(_c: Any, _cur: Any, statement: str, _p: Any, _ctx: Any, _many: bool) -> None:
        seen.append(statement)

    async def found(word: str) -> set[str]:
        body = ok(await client.get(f"{API}/search", params={"q": word}, headers=alice.headers))
        return {r["block_id"] for r in body["results"]}

    async with ydoc_client(server, n["id"], alice) as editor:
        # The first change of the list of nodes removes the note's initial empty block.
        editor.append_paragraph("last")
        await rows_become(client, alice, n["id"], [*words[:3], "last"])
        event.listen(engine, "before_cursor_execute", record)
        try:
            with editor.doc.transaction():  # how an editor moves a node: out, and in again
                del editor.fragment.children[0]
                moved = editor.fragment.children.insert(
                    2, XmlElement("paragraph", {"blockId": first["id"]})
                )
                moved.children.append(XmlText(words[0]))
            await rows_become(client, alice, n["id"], [*words[1:3], words[0], "last"])
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert any("UPDATE blocks" in s for s in seen), "the move's own write was not seen"
        assert [s for s in seen if "search_docs" in s] == []
        assert await found(words[0]) == {first["id"]}
        editor.insert_text(0, 0, f"{words[3]} ")
        await rows_become(
            client, alice, n["id"], [f"{words[3]} {words[1]}", words[2], words[0], "last"]
        )
    assert await found(words[3]) == {second["id"]}
    assert await found(words[2]) == {third["id"]}
