"""The document format as Tiptap writes and reads it (its own y-tiptap binding, in Node).

A document made from editor JSON the way the browser makes it is projected into the
blocks the contract describes; documents the server builds or edits read back in the
editor's schema with the same ids, attributes and marks.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from owlistic.collab import protocol
from tests.api.helpers import API, block, notebook_with_note, ok
from tests.collab.yclient import rows_become, ydoc_client
from tests.conftest import Account, LiveServer

CODEC = Path(__file__).with_name("tiptap_codec.mjs")


async def _node(mode: str, data: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(CODEC),
        mode,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(data.encode())
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def tiptap_update(doc: dict[str, Any]) -> bytes:
    return base64.b64decode(await _node("encode", json.dumps(doc)))


async def tiptap_json(update: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(await _node("decode", base64.b64encode(update).decode()))
    return result


def _text(text: str, *marks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "text", "text": text, **({"marks": list(marks)} if marks else {})}


def _block(name: str, block_id: str, text: str, **attrs: Any) -> dict[str, Any]:
    return {"type": name, "attrs": {"blockId": block_id, **attrs}, "content": [_text(text)]}


async def _empty_note(client: httpx.AsyncClient, who: Account) -> dict[str, Any]:
    _, n = await notebook_with_note(client, who)
    for b in n["blocks"]:
        ok(await client.delete(f"{API}/blocks/{b['id']}", headers=who.headers), 204)
    return n


async def test_a_document_written_by_tiptap_projects_into_contract_blocks(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    n = await _empty_note(client, alice)
    ids = [str(uuid.uuid4()) for _ in range(7)]
    link = {"type": "link", "attrs": {"href": "https://example.com", "target": "_blank"}}
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "heading",
                "attrs": {"blockId": ids[0], "level": 2},
                "content": [_text("Plan")],
            },
            {
                "type": "paragraph",
                "attrs": {"blockId": ids[1]},
                "content": [
                    _text("a "),
                    _text("bold", {"type": "bold"}),
                    _text(" "),
                    _text("site", link, {"type": "italic"}),
                    {"type": "hardBreak"},
                    _text("next \U0001f989 ", {"type": "code"}),
                ],
            },
            {
                "type": "taskBlock",
                "attrs": {"blockId": ids[2], "checked": True},
                "content": [_text("done")],
            },
            {
                "type": "listBlock",
                "attrs": {"blockId": ids[3], "listType": "ordered"},
                "content": [_text("one")],
            },
            {
                "type": "codeBlock",
                "attrs": {"blockId": ids[4], "language": "py"},
                "content": [_text("x = 1\ny")],
            },
            _block("quoteBlock", ids[5], "said"),
            {"type": "horizontalRule", "attrs": {"blockId": ids[6]}},
        ],
    }
    update = await tiptap_update(doc)
    async with ydoc_client(server, n["id"], alice) as editor:
        await editor.ws.send(protocol.update_frame(update))
        rows = await rows_become(
            client,
            alice,
            n["id"],
            ["Plan", "a bold site\nnext \U0001f989 ", "done", "one", "x = 1\ny", "said", ""],
        )
    assert [r["id"] for r in rows] == ids
    assert [r["type"] for r in rows] == [
        "header",
        "paragraph",
        "task",
        "listItem",
        "code",
        "blockquote",
        "horizontalRule",
    ]
    meta = [r["metadata"] for r in rows]
    assert meta[0]["level"] == 2
    assert meta[1]["spans"] == [
        {"start": 2, "end": 5, "type": "bold"},
        {"start": 7, "end": 10, "type": "italics"},
        {"start": 7, "end": 10, "type": "link", "href": "https://example.com"},
        {"start": 12, "end": 19, "type": "code"},  # the owl counts two UTF-16 units
    ]
    assert meta[2]["is_completed"] is True
    assert (meta[3]["listType"], meta[3]["item_type"]) == ("ordered", "ordered")
    assert meta[4]["language"] == "py"
    tasks = ok(await client.get(f"{API}/tasks", params={"note_id": n["id"]}, headers=alice.headers))
    assert [(t["title"], t["is_completed"]) for t in tasks] == [("done", True)]


async def test_documents_the_server_builds_and_edits_read_back_in_the_editor_schema(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    n = await _empty_note(client, alice)
    heading = await block(client, alice, n["id"], "Title", type="header", metadata={"level": 3})
    task = await block(
        client, alice, n["id"], "to do", type="task", metadata={"is_completed": True}
    )
    styled = await block(
        client,
        alice,
        n["id"],
        "one\ntwo",
        metadata={"spans": [{"start": 0, "end": 2, "type": "bold"}]},
    )
    async with ydoc_client(server, n["id"], alice) as editor:
        seeded = await tiptap_json(editor.doc.get_update())
        # A REST write into the open document reads back too.
        ok(
            await client.put(
                f"{API}/blocks/{heading['id']}",
                json={"content": {"text": "Retitled"}, "metadata": {"level": 1}},
                headers=alice.headers,
            )
        )
        await editor.wait_until(lambda: editor.texts()[0] == "Retitled")
        edited = await tiptap_json(editor.doc.get_update())
    nodes = seeded["content"]
    assert [(x["type"], x["attrs"]["blockId"]) for x in nodes] == [
        ("heading", heading["id"]),
        ("taskBlock", task["id"]),
        ("paragraph", styled["id"]),
    ]
    assert nodes[0]["attrs"]["level"] == 3
    assert nodes[1]["attrs"]["checked"] is True
    assert nodes[2]["content"] == [
        {"type": "text", "text": "one", "marks": [{"type": "bold", "attrs": {}}]},
        {"type": "hardBreak"},
        {"type": "text", "text": "two"},
    ]
    first = edited["content"][0]
    assert (first["attrs"]["level"], first["content"]) == (
        1,
        [{"type": "text", "text": "Retitled"}],
    )
