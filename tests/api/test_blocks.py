"""Block CRUD, accepted input forms, ordering and pagination."""

from __future__ import annotations

import httpx

from tests.api.helpers import (
    API,
    BLOCK_KEYS,
    block,
    error_of,
    ids,
    instant,
    notebook_with_note,
    ok,
)
from tests.conftest import Account


async def test_create_shape_and_sync_markers(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(
        client,
        owner,
        n["id"],
        "hello",
        type="header",
        metadata={"level": 2, "spans": [{"start": 0, "end": 5, "type": "bold"}]},
        order=2.5,
    )
    assert set(b) == BLOCK_KEYS
    assert (b["note_id"], b["user_id"], b["type"]) == (n["id"], owner.id, "header")
    assert b["content"] == {"text": "hello"}
    assert b["order"] == 2.5
    assert b["metadata"] == {
        "level": 2,
        "spans": [{"start": 0, "end": 5, "type": "bold"}],
        "_sync_source": "block",
        "block_id": b["id"],
    }
    plain = await block(client, owner, n["id"], "no metadata")
    assert plain["metadata"] == {}
    got = ok(await client.get(f"{API}/blocks/{b['id']}", headers=owner.headers))
    assert got == b


async def test_string_content_and_numeric_string_order(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    r = await client.post(
        f"{API}/blocks",
        json={"note_id": n["id"], "type": "text", "content": "plain string", "order": "12.5"},
        headers=owner.headers,
    )
    b = ok(r, 201)
    assert b["content"] == {"text": "plain string"}
    assert b["order"] == 12.5
    assert isinstance(b["order"], float | int)
    r = await client.put(
        f"{API}/blocks/{b['id']}", json={"content": "edited", "order": "7"}, headers=owner.headers
    )
    updated = ok(r)
    assert (updated["content"], updated["order"]) == ({"text": "edited"}, 7)


async def test_unknown_type_strings_up_to_20_chars(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    custom = "x" * 20
    b = await block(client, owner, n["id"], type=custom)
    assert b["type"] == custom
    r = await client.post(
        f"{API}/blocks",
        json={"note_id": n["id"], "type": "y" * 21, "content": {"text": ""}},
        headers=owner.headers,
    )
    error_of(r, 422)
    r = await client.put(f"{API}/blocks/{b['id']}", json={"type": "z" * 21}, headers=owner.headers)
    error_of(r, 422)


async def test_default_order_appends_after_the_last_block(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    first = await block(client, owner, n["id"], "a")
    second = await block(client, owner, n["id"], "b")
    assert 1 < first["order"] < second["order"]
    ok(await client.delete(f"{API}/blocks/{second['id']}", headers=owner.headers), 204)
    third = await block(client, owner, n["id"], "c")
    assert third["order"] > first["order"]


async def test_list_total_count_and_pagination(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    for i in range(5):
        await block(client, owner, n["id"], f"b{i}", order=100 - i)  # stored out of order
    params = {"note_id": n["id"], "page_size": 4, "count_total": "true"}
    r1 = await client.get(f"{API}/blocks", params={**params, "page": 1}, headers=owner.headers)
    r2 = await client.get(f"{API}/blocks", params={**params, "page": 2}, headers=owner.headers)
    r3 = await client.get(f"{API}/blocks", params={**params, "page": 3}, headers=owner.headers)
    page1, page2, page3 = ok(r1), ok(r2), ok(r3)
    assert (len(page1), len(page2), page3) == (4, 2, [])
    for r in (r1, r2, r3):
        assert r.headers["X-Total-Count"] == "6"
    orders = [b["order"] for b in page1 + page2]
    assert orders == sorted(orders)
    assert orders[0] == 1
    no_count = await client.get(f"{API}/blocks", params={"note_id": n["id"]}, headers=owner.headers)
    assert "X-Total-Count" not in no_count.headers
    assert len(ok(no_count)) == 6
    # Bad paging values fall back instead of failing, as the original client relies on.
    fallback = await client.get(
        f"{API}/blocks",
        params={"note_id": n["id"], "page": 0, "page_size": -3},
        headers=owner.headers,
    )
    assert len(ok(fallback)) == 6


async def test_alias_and_filters(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    h = await block(client, owner, n["id"], "title", type="header")
    await block(client, owner, n["id"], "body")
    listed = ok(
        await client.get(f"{API}/blocks", params={"note_id": n["id"]}, headers=owner.headers)
    )
    alias = ok(await client.get(f"{API}/blocks/note/{n['id']}", headers=owner.headers))
    assert alias == listed
    assert len(alias) == 3
    headers_only = ok(
        await client.get(
            f"{API}/blocks", params={"note_id": n["id"], "type": "header"}, headers=owner.headers
        )
    )
    assert ids(headers_only) == {h["id"]}
    everywhere = ok(
        await client.get(
            f"{API}/blocks", params={"type": "header", "page_size": 500}, headers=owner.headers
        )
    )
    assert h["id"] in ids(everywhere)


async def test_update_writes_only_whitelisted_keys(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    _, elsewhere = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "old", metadata={"spans": []})
    r = await client.put(
        f"{API}/blocks/{b['id']}",
        json={
            "content": {"text": "new", "extra": 1},
            "metadata": {"level": 1},
            "type": "header",
            "order": -10,
            "note_id": elsewhere["id"],
            "user_id": elsewhere["user_id"],
            "id": elsewhere["id"],
            "deleted_at": "2020-01-01T00:00:00Z",
            "created_at": "2020-01-01T00:00:00Z",
        },
        headers=owner.headers,
    )
    updated = ok(r)
    assert updated["id"] == b["id"]
    assert updated["note_id"] == n["id"]
    assert updated["deleted_at"] is None
    assert updated["created_at"] == b["created_at"]
    assert updated["content"] == {"text": "new", "extra": 1}
    assert updated["metadata"] == {"level": 1, "_sync_source": "block", "block_id": b["id"]}
    assert (updated["type"], updated["order"]) == ("header", -10)
    assert instant(updated["updated_at"]) >= instant(b["updated_at"])
    # Absent keys keep their values.
    again = ok(
        await client.put(f"{API}/blocks/{b['id']}", json={"order": 5}, headers=owner.headers)
    )
    assert (again["content"], again["type"], again["order"]) == (updated["content"], "header", 5)
    moved = ok(
        await client.get(
            f"{API}/blocks", params={"note_id": elsewhere["id"]}, headers=owner.headers
        )
    )
    assert b["id"] not in ids(moved)


async def test_delete_block(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"])
    url = f"{API}/blocks/{b['id']}"
    r = await client.delete(url, headers=owner.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert error_of(await client.get(url, headers=owner.headers), 404) == "Block not found"
    error_of(await client.put(url, json={"content": "x"}, headers=owner.headers), 404)
    error_of(await client.delete(url, headers=owner.headers), 404)
    listed = ok(
        await client.get(f"{API}/blocks", params={"note_id": n["id"]}, headers=owner.headers)
    )
    assert b["id"] not in ids(listed)
    note = ok(await client.get(f"{API}/notes/{n['id']}", headers=owner.headers))
    assert b["id"] not in ids(note["blocks"])


async def test_blocks_of_a_trashed_note_are_gone(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"])
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    error_of(await client.get(f"{API}/blocks/{b['id']}", headers=owner.headers), 404)
    error_of(
        await client.get(f"{API}/blocks", params={"note_id": n["id"]}, headers=owner.headers), 404
    )
    r = await client.post(
        f"{API}/blocks",
        json={"note_id": n["id"], "type": "text", "content": {"text": ""}},
        headers=owner.headers,
    )
    error_of(r, 404)
