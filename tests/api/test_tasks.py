"""Task CRUD, update semantics and list filters."""

from __future__ import annotations

import httpx

from tests.api.helpers import (
    API,
    TASK_KEYS,
    error_of,
    get,
    notebook_with_note,
    ok,
    task,
    task_ids,
    unknown_id,
)
from tests.conftest import Account

SCHEDULE_KEYS = {
    "due_at",
    "due_all_day",
    "time_zone",
    "remind_at",
    "remind_before_minutes",
    "recurrence",
}


def assert_task_shape(t: dict[str, object]) -> None:
    assert set(t) >= TASK_KEYS
    assert set(t) - TASK_KEYS <= {"block_id", *SCHEDULE_KEYS}
    assert isinstance(t["is_completed"], bool)


async def test_create_standalone_task(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    t = await task(
        client,
        owner,
        title="Buy milk",
        description="2 l",
        user_id=outsider.id,
        metadata={"_sync_source": "task"},
    )
    assert_task_shape(t)
    assert (t["title"], t["description"], t["user_id"]) == ("Buy milk", "2 l", owner.id)
    assert (t["is_completed"], t["due_date"], t["note_id"]) == (False, "", None)
    assert t["deleted_at"] is None
    assert ok(await client.get(f"{API}/tasks/{t['id']}", headers=owner.headers)) == t


async def test_due_date_forms(client: httpx.AsyncClient, owner: Account) -> None:
    day = await task(client, owner, title="d", due_date="2024-12-31")
    assert day["due_date"] == "2024-12-31"
    moment = await task(client, owner, title="m", due_date="2024-12-31T10:00:00Z")
    assert moment["due_date"].startswith("2024-12-31T10:00:00")
    for bad in ("tomorrow", "2024-13-45", "31/12/2024", 20241231):
        r = await client.post(
            f"{API}/tasks", json={"title": "x", "due_date": bad}, headers=owner.headers
        )
        assert "due_date" in error_of(r, 422)
    url = f"{API}/tasks/{day['id']}"
    error_of(await client.put(url, json={"due_date": "soon"}, headers=owner.headers), 422)
    cleared = ok(await client.put(url, json={"due_date": ""}, headers=owner.headers))
    assert cleared["due_date"] == ""


async def test_update_is_presence_based(client: httpx.AsyncClient, owner: Account) -> None:
    t = await task(client, owner, title="t", description="d")
    url = f"{API}/tasks/{t['id']}"
    done = ok(await client.put(url, json={"is_completed": True}, headers=owner.headers))
    assert (done["is_completed"], done["title"], done["description"]) == (True, "t", "d")
    undone = ok(await client.put(url, json={"is_completed": False}, headers=owner.headers))
    assert undone["is_completed"] is False
    blank = ok(await client.put(url, json={"title": "", "description": ""}, headers=owner.headers))
    assert (blank["title"], blank["description"]) == ("", "")
    assert ok(await client.get(url, headers=owner.headers))["title"] == ""


async def test_update_ignores_identity_fields(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    t = await task(client, owner, title="mine")
    r = await client.put(
        f"{API}/tasks/{t['id']}",
        json={
            "id": unknown_id(),
            "user_id": outsider.id,
            "created_at": "2001-01-01T00:00:00Z",
            "note_id": unknown_id(),
            "deleted_at": "2001-01-01T00:00:00Z",
            "title": "still",
        },
        headers=owner.headers,
    )
    updated = ok(r)
    assert (updated["id"], updated["user_id"], updated["note_id"]) == (t["id"], owner.id, None)
    assert (updated["created_at"], updated["deleted_at"]) == (t["created_at"], None)
    assert updated["title"] == "still"
    error_of(await client.get(f"{API}/tasks/{t['id']}", headers=outsider.headers), 404)


async def test_metadata_is_stored_but_links_are_server_owned(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title="linked", note_id=n["id"])
    r = await client.put(
        f"{API}/tasks/{t['id']}",
        json={"metadata": {"block_id": unknown_id(), "note_id": unknown_id(), "color": "red"}},
        headers=owner.headers,
    )
    meta = ok(r)["metadata"]
    assert meta["color"] == "red"
    assert meta["block_id"] == t["metadata"]["block_id"]
    assert meta["note_id"] == n["id"]


async def test_delete_task(client: httpx.AsyncClient, owner: Account) -> None:
    t = await task(client, owner, title="gone")
    url = f"{API}/tasks/{t['id']}"
    r = await client.delete(url, headers=owner.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert error_of(await client.get(url, headers=owner.headers), 404) == "Task not found"
    error_of(await client.put(url, json={"title": "x"}, headers=owner.headers), 404)
    error_of(await client.delete(url, headers=owner.headers), 404)
    assert t["id"] not in await task_ids(client, owner)


async def test_list_filters(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    open_in_note = await task(client, owner, title="open", note_id=n["id"])
    done_in_note = await task(client, owner, title="done", note_id=n["id"], is_completed=True)
    loose = await task(client, owner, title="loose")
    mine = {open_in_note["id"], done_in_note["id"], loose["id"]}

    assert mine <= await task_ids(client, owner)
    assert await task_ids(client, owner, note_id=n["id"]) == {
        open_in_note["id"],
        done_in_note["id"],
    }
    completed = await task_ids(client, owner, is_completed="true")
    assert done_in_note["id"] in completed
    assert not {open_in_note["id"], loose["id"]} & completed
    pending = await task_ids(client, owner, is_completed="false")
    assert {open_in_note["id"], loose["id"]} <= pending
    assert done_in_note["id"] not in pending
    # ``completed`` is what the Postman collection sends.
    assert await task_ids(client, owner, note_id=n["id"], completed="true") == {done_in_note["id"]}
    assert await task_ids(client, owner, note_id=n["id"], completed="false") == {open_in_note["id"]}
    by_block = await get(client, owner, "/tasks", block_id=done_in_note["block_id"])
    assert [t["id"] for t in by_block] == [done_in_note["id"]]
    assert await task_ids(client, owner, note_id=unknown_id()) == set()
