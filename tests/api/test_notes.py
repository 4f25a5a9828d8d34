"""Note CRUD, embedded blocks, moving, listing."""

from __future__ import annotations

import httpx

from tests.api.helpers import (
    API,
    BLOCK_KEYS,
    NOTE_KEYS,
    block,
    error_of,
    ids,
    note,
    notebook,
    notebook_with_note,
    ok,
    unknown_id,
)
from tests.conftest import Account


def assert_note_shape(n: dict[str, object]) -> None:
    assert set(n) >= NOTE_KEYS
    assert set(n) - NOTE_KEYS <= {"role"}


async def test_create_returns_note_with_initial_block(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    nb = await notebook(client, owner)
    r = await client.post(
        f"{API}/notes",
        json={
            "notebook_id": nb["id"],
            "title": "Hello",
            "user_id": outsider.id,
            "blocks": [{"content": "", "type": "text", "order": 0}],
            "tags": ["ignored"],
        },
        headers=owner.headers,
    )
    n = ok(r, 201)
    assert_note_shape(n)
    assert (n["title"], n["notebook_id"], n["user_id"]) == ("Hello", nb["id"], owner.id)
    assert n["tags"] is None
    assert n["deleted_at"] is None
    [initial] = n["blocks"]
    assert set(initial) == BLOCK_KEYS
    assert initial["type"] == "text"
    assert initial["content"] == {"text": ""}
    assert initial["metadata"] == {}
    assert initial["order"] == 1
    assert initial["note_id"] == n["id"]


async def test_get_returns_blocks_sorted_by_order(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    for text, order in (("c", 3000), ("a", -5), ("b", 1.5), ("d", "4000.25")):
        await block(client, owner, n["id"], text, order=order)
    got = ok(await client.get(f"{API}/notes/{n['id']}", headers=owner.headers))
    assert_note_shape(got)
    orders = [b["order"] for b in got["blocks"]]
    assert orders == [-5, 1, 1.5, 3000, 4000.25]
    assert [b["content"]["text"] for b in got["blocks"]] == ["a", "", "b", "c", "d"]


async def test_list_by_notebook_is_a_bare_array_with_blocks(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb = await notebook(client, owner)
    other = await notebook(client, owner)
    n1 = await note(client, owner, nb["id"], "first")
    n2 = await note(client, owner, nb["id"], "second")
    elsewhere = await note(client, owner, other["id"], "elsewhere")
    await block(client, owner, n1["id"], "z", order=-1)
    listed = ok(
        await client.get(
            f"{API}/notes",
            params={"notebook_id": nb["id"], "page": 1, "page_size": 1},
            headers=owner.headers,
        )
    )
    assert isinstance(listed, list)
    assert ids(listed) == {n1["id"], n2["id"]}
    by_id = {n["id"]: n for n in listed}
    assert [b["order"] for b in by_id[n1["id"]]["blocks"]] == [-1, 1]
    assert len(by_id[n2["id"]]["blocks"]) == 1
    all_notes = ok(await client.get(f"{API}/notes", headers=owner.headers))
    assert {n1["id"], n2["id"], elsewhere["id"]} <= ids(all_notes)
    titled = ok(
        await client.get(
            f"{API}/notes", params={"notebook_id": nb["id"], "title": "seco"}, headers=owner.headers
        )
    )
    assert ids(titled) == {n2["id"]}


async def test_trailing_slash_list_works_without_redirect(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    r = await client.get(f"{API}/notes/", params={"notebook_id": nb["id"]}, headers=owner.headers)
    assert r.status_code == 200
    assert ids(r.json()) == {n["id"]}
    r = await client.post(f"{API}/notes/", json={"notebook_id": nb["id"]}, headers=owner.headers)
    assert r.status_code == 201


async def test_update_title_and_move(client: httpx.AsyncClient, owner: Account) -> None:
    nb, n = await notebook_with_note(client, owner)
    dest = await notebook(client, owner)
    url = f"{API}/notes/{n['id']}"
    renamed = ok(
        await client.put(
            url, json={"title": "Renamed", "content": "ignored"}, headers=owner.headers
        )
    )
    assert renamed["title"] == "Renamed"
    assert len(renamed["blocks"]) == 1
    moved = ok(
        await client.put(
            url,
            params={"notebook_id": nb["id"]},
            json={"notebook_id": dest["id"]},
            headers=owner.headers,
        )
    )
    assert (moved["notebook_id"], moved["title"]) == (dest["id"], "Renamed")
    old = ok(
        await client.get(f"{API}/notes", params={"notebook_id": nb["id"]}, headers=owner.headers)
    )
    assert old == []
    new = ok(
        await client.get(f"{API}/notes", params={"notebook_id": dest["id"]}, headers=owner.headers)
    )
    assert ids(new) == {n["id"]}
    error_of(await client.put(url, json={"notebook_id": unknown_id()}, headers=owner.headers), 404)
    assert ok(await client.get(url, headers=owner.headers))["notebook_id"] == dest["id"]


async def test_delete_note(client: httpx.AsyncClient, owner: Account) -> None:
    nb, n = await notebook_with_note(client, owner)
    url = f"{API}/notes/{n['id']}"
    r = await client.delete(url, headers=owner.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert error_of(await client.get(url, headers=owner.headers), 404) == "Note not found"
    error_of(await client.put(url, json={"title": "x"}, headers=owner.headers), 404)
    error_of(await client.delete(url, headers=owner.headers), 404)
    assert (
        ok(
            await client.get(
                f"{API}/notes", params={"notebook_id": nb["id"]}, headers=owner.headers
            )
        )
        == []
    )


async def test_create_needs_a_live_notebook(client: httpx.AsyncClient, owner: Account) -> None:
    error_of(await client.post(f"{API}/notes", json={"title": "x"}, headers=owner.headers), 422)
    r = await client.post(f"{API}/notes", json={"notebook_id": unknown_id()}, headers=owner.headers)
    assert error_of(r, 404) == "Notebook not found"
    nb = await notebook(client, owner)
    ok(await client.delete(f"{API}/notebooks/{nb['id']}", headers=owner.headers), 204)
    error_of(
        await client.post(f"{API}/notes", json={"notebook_id": nb["id"]}, headers=owner.headers),
        404,
    )
