"""Picture and file blocks: REST block types ``image`` and ``file`` <-> the editor's ``image``
and ``file`` nodes, as Tiptap itself writes and reads them; their attachments outlive them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from owlistic.collab import protocol
from tests.api.helpers import API, block, error_of, ok
from tests.api.test_attachments import png, uploaded
from tests.collab.test_collab_tiptap import _empty_note, tiptap_json, tiptap_update
from tests.collab.yclient import rows_become, ydoc_client
from tests.conftest import Account, LiveServer


def _attrs(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node["attrs"].items() if v is not None}


async def test_image_and_file_blocks_from_rest_are_nodes_in_the_document(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    n = await _empty_note(client, alice)
    picture = await uploaded(client, alice, n["id"], png(), name="beach.png")
    minutes = await uploaded(client, alice, n["id"], b"minutes", name="minutes.txt")
    # Before the document exists: it is built from the rows.
    image = await block(
        client,
        alice,
        n["id"],
        "The beach at noon",
        type="image",
        metadata={"attachment_id": picture["id"], "title": "Our beach", "width": 320},
    )
    assert (image["type"], image["content"]["text"]) == ("image", "The beach at noon")
    async with ydoc_client(server, n["id"], alice) as editor:
        # Into the open document.
        file = await block(
            client,
            alice,
            n["id"],
            "minutes.txt",
            type="file",
            metadata={"attachment_id": minutes["id"], "size": 7, "media_type": "text/plain"},
        )
        external = await block(
            client, alice, n["id"], "", type="image", metadata={"src": "https://example.com/a.png"}
        )
        await editor.wait_until(lambda: len(editor.blocks()) == 3)
        nodes = (await tiptap_json(editor.doc.get_update()))["content"]

        assert [x["type"] for x in nodes] == ["image", "file", "image"]
        assert _attrs(nodes[0]) == {
            "blockId": image["id"],
            "src": f"/api/v1/attachments/{picture['id']}",
            "attachmentId": picture["id"],
            "alt": "The beach at noon",
            "title": "Our beach",
            "width": 320,
        }
        assert _attrs(nodes[1]) == {
            "blockId": file["id"],
            "src": f"/api/v1/attachments/{minutes['id']}",
            "attachmentId": minutes["id"],
            "name": "minutes.txt",
            "size": 7,
            "mediaType": "text/plain",
        }
        assert _attrs(nodes[2]) == {"blockId": external["id"], "src": "https://example.com/a.png"}

        # Pictures and files never point at script.
        for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>"):
            message = error_of(
                await client.post(
                    f"{API}/blocks",
                    json={"note_id": n["id"], "type": "image", "metadata": {"src": bad}},
                    headers=alice.headers,
                ),
                422,
            )
            assert "src" in message
        error_of(
            await client.put(
                f"{API}/blocks/{file['id']}",
                json={"metadata": {"src": "javascript:alert(1)"}},
                headers=alice.headers,
            ),
            422,
        )

        # Deleting the picture's block keeps its attachment (it goes with the note).
        ok(await client.delete(f"{API}/blocks/{image['id']}", headers=alice.headers), 204)
        await editor.wait_until(lambda: len(editor.blocks()) == 2)
    r = await client.get(f"{API}/attachments/{picture['id']}", headers=alice.headers)
    assert (r.status_code, r.content[:4]) == (200, b"\x89PNG")
    listed = ok(
        await client.get(f"{API}/attachments", params={"note_id": n["id"]}, headers=alice.headers)
    )
    assert {a["id"] for a in listed} == {picture["id"], minutes["id"]}


async def test_image_and_file_nodes_written_by_tiptap_project_into_blocks(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    n = await _empty_note(client, alice)
    ids = [str(uuid.uuid4()) for _ in range(4)]
    attachment = str(uuid.uuid4())
    src = f"/api/v1/attachments/{attachment}"
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "image",
                "attrs": {
                    "blockId": ids[0],
                    "src": src,
                    "alt": "A cat",
                    "title": "Tom",
                    "attachmentId": attachment,
                    "width": 240.5,
                },
            },
            {
                "type": "file",
                "attrs": {
                    "blockId": ids[1],
                    "src": src,
                    "name": "report.pdf",
                    "size": 52000,
                    "mediaType": "application/pdf",
                },
            },
            # A picture linked by its URL only (a Markdown import): the id is read from it.
            {"type": "image", "attrs": {"blockId": ids[2], "src": src}},
            # Written by a misbehaving client: the script address is not projected.
            {"type": "image", "attrs": {"blockId": ids[3], "src": "javascript:alert(1)"}},
        ],
    }
    async with ydoc_client(server, n["id"], alice) as editor:
        await editor.ws.send(protocol.update_frame(await tiptap_update(doc)))
        rows = await rows_become(client, alice, n["id"], ["A cat", "report.pdf", "", ""])
    assert [r["id"] for r in rows] == ids
    assert [r["type"] for r in rows] == ["image", "file", "image", "image"]
    meta = [
        {k: v for k, v in r["metadata"].items() if k not in ("_sync_source", "block_id")}
        for r in rows
    ]
    assert meta[0] == {
        "spans": [],
        "src": src,
        "attachment_id": attachment,
        "title": "Tom",
        "width": 240,
    }
    assert meta[1] == {
        "spans": [],
        "src": src,
        "attachment_id": attachment,
        "size": 52000,
        "media_type": "application/pdf",
    }
    assert meta[2] == {"spans": [], "src": src, "attachment_id": attachment}
    assert meta[3] == {"spans": []}
