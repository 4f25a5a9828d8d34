"""A task block and its task stay one item, whichever side is written."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import (
    API,
    block,
    error_of,
    get,
    ids,
    note_blocks,
    notebook_with_note,
    ok,
    task,
    task_ids,
)
from tests.conftest import Account


async def tasks_of_block(client: httpx.AsyncClient, who: Account, block_id: str) -> list[Any]:
    found: list[Any] = await get(client, who, "/tasks", block_id=block_id)
    return found


async def the_task_of(client: httpx.AsyncClient, who: Account, block_id: str) -> Any:
    [t] = await tasks_of_block(client, who, block_id)
    return t


async def put_block(client: httpx.AsyncClient, who: Account, block_id: str, **body: Any) -> Any:
    return ok(await client.put(f"{API}/blocks/{block_id}", json=body, headers=who.headers))


async def put_task(client: httpx.AsyncClient, who: Account, task_id: str, **body: Any) -> Any:
    return ok(await client.put(f"{API}/tasks/{task_id}", json=body, headers=who.headers))


async def test_task_block_creates_exactly_one_task(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(
        client,
        owner,
        n["id"],
        "Water plants",
        type="task",
        metadata={"is_completed": True, "_sync_source": "block"},
    )
    t = await the_task_of(client, owner, b["id"])
    assert (t["title"], t["is_completed"], t["note_id"]) == ("Water plants", True, n["id"])
    assert t["metadata"]["block_id"] == b["id"]
    assert b["metadata"]["task_id"] == t["id"]
    assert await task_ids(client, owner, note_id=n["id"]) == {t["id"]}
    # No duplicate block was added to the note (upstream created a second task block).
    assert [x["id"] for x in await note_blocks(client, owner, n["id"]) if x["type"] == "task"] == [
        b["id"]
    ]
    plain = await block(client, owner, n["id"], "no metadata", type="task")
    assert (await the_task_of(client, owner, plain["id"]))["is_completed"] is False


async def test_block_edits_update_the_task(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "draft", type="task", metadata={})
    t = await the_task_of(client, owner, b["id"])

    await put_block(client, owner, b["id"], content={"text": "final"})
    assert (await the_task_of(client, owner, b["id"]))["title"] == "final"

    edited = await put_block(
        client, owner, b["id"], metadata={**b["metadata"], "is_completed": True}
    )
    assert edited["metadata"]["task_id"] == t["id"]
    assert (await the_task_of(client, owner, b["id"]))["is_completed"] is True

    # The client replaces metadata wholesale and may drop ``task_id``; the link survives.
    edited = await put_block(client, owner, b["id"], metadata={"is_completed": False})
    assert edited["metadata"]["task_id"] == t["id"]
    after = await the_task_of(client, owner, b["id"])
    assert (after["id"], after["is_completed"], after["title"]) == (t["id"], False, "final")


async def test_type_change_away_from_task_deletes_the_task(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "todo", type="task", metadata={})
    t = await the_task_of(client, owner, b["id"])
    changed = await put_block(client, owner, b["id"], type="text")
    assert "task_id" not in changed["metadata"]
    error_of(await client.get(f"{API}/tasks/{t['id']}", headers=owner.headers), 404)
    assert await tasks_of_block(client, owner, b["id"]) == []
    # ... and back to a task makes a new one.
    await put_block(client, owner, b["id"], type="task")
    again = await the_task_of(client, owner, b["id"])
    assert again["id"] != t["id"]
    assert again["title"] == "todo"


async def test_deleting_the_block_deletes_the_task(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "todo", type="task")
    t = await the_task_of(client, owner, b["id"])
    ok(await client.delete(f"{API}/blocks/{b['id']}", headers=owner.headers), 204)
    error_of(await client.get(f"{API}/tasks/{t['id']}", headers=owner.headers), 404)
    assert t["id"] not in await task_ids(client, owner)


async def test_task_with_note_appends_a_task_block(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    last = await block(client, owner, n["id"], "last", order=5000)
    t = await task(
        client, owner, title="Call Bob", note_id=n["id"], metadata={"_sync_source": "task"}
    )
    assert t["note_id"] == n["id"]
    block_id = t["metadata"]["block_id"]
    blocks = await note_blocks(client, owner, n["id"])
    assert blocks[-1]["id"] == block_id
    tb = blocks[-1]
    assert tb["order"] > last["order"]
    assert (tb["type"], tb["content"]["text"]) == ("task", "Call Bob")
    assert tb["metadata"]["task_id"] == t["id"]
    assert tb["metadata"]["is_completed"] is False
    assert len([b for b in blocks if b["type"] == "task"]) == 1


async def test_task_edits_update_the_block(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title="one", note_id=n["id"])
    block_url = f"{API}/blocks/{t['metadata']['block_id']}"

    await put_task(client, owner, t["id"], is_completed=True, title="two")
    b = ok(await client.get(block_url, headers=owner.headers))
    assert (b["content"]["text"], b["metadata"]["is_completed"]) == ("two", True)

    await put_task(client, owner, t["id"], is_completed=False)
    b = ok(await client.get(block_url, headers=owner.headers))
    assert (b["content"]["text"], b["metadata"]["is_completed"]) == ("two", False)


async def test_completion_toggled_through_metadata(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title="toggle", note_id=n["id"])
    block_url = f"{API}/blocks/{t['metadata']['block_id']}"
    # How the original client toggles: only metadata, never top-level is_completed.
    meta = {
        **t["metadata"],
        "_sync_source": "task",
        "task_id": t["id"],
        "last_synced": "2025-05-30T13:30:06.123",
        "is_completed": True,
    }
    done = await put_task(client, owner, t["id"], metadata=meta)
    assert done["is_completed"] is True
    assert ok(await client.get(block_url, headers=owner.headers))["metadata"]["is_completed"]
    undone = await put_task(client, owner, t["id"], metadata={**meta, "is_completed": False})
    assert undone["is_completed"] is False
    b = ok(await client.get(block_url, headers=owner.headers))
    assert b["metadata"]["is_completed"] is False
    # A top-level value wins over the metadata one.
    both = await put_task(
        client, owner, t["id"], is_completed=True, metadata={**meta, "is_completed": False}
    )
    assert both["is_completed"] is True


async def test_deleting_the_task_deletes_its_block(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title="bye", note_id=n["id"])
    block_id = t["metadata"]["block_id"]
    ok(await client.delete(f"{API}/tasks/{t['id']}", headers=owner.headers), 204)
    error_of(await client.get(f"{API}/blocks/{block_id}", headers=owner.headers), 404)
    assert block_id not in ids(await note_blocks(client, owner, n["id"]))


async def test_task_for_an_existing_block_converts_it(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "buy bread", metadata={"spans": []})
    t = await task(client, owner, block_id=b["id"])
    assert (t["title"], t["note_id"], t["metadata"]["block_id"]) == ("buy bread", n["id"], b["id"])
    converted = ok(await client.get(f"{API}/blocks/{b['id']}", headers=owner.headers))
    assert converted["type"] == "task"
    assert converted["metadata"]["task_id"] == t["id"]
    assert converted["metadata"]["spans"] == []
    r = await client.post(f"{API}/tasks", json={"block_id": b["id"]}, headers=owner.headers)
    error_of(r, 409)
    assert [x["id"] for x in await tasks_of_block(client, owner, b["id"])] == [t["id"]]
