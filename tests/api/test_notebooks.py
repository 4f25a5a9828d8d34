"""Notebook CRUD and its wire shape."""

from __future__ import annotations

import httpx

from tests.api.helpers import API, NOTEBOOK_KEYS, error_of, ids, instant, notebook, ok, unknown_id
from tests.conftest import Account


def assert_notebook_shape(nb: dict[str, object]) -> None:
    assert set(nb) >= NOTEBOOK_KEYS
    assert set(nb) - NOTEBOOK_KEYS <= {"role"}
    assert nb["notes"] is None


async def test_create_ignores_owner_and_id_in_body(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    forced_id = unknown_id()
    r = await client.post(
        f"{API}/notebooks",
        json={"name": "Work", "description": "d", "user_id": outsider.id, "id": forced_id},
        headers=owner.headers,
    )
    nb = ok(r, 201)
    assert_notebook_shape(nb)
    assert nb["user_id"] == owner.id
    assert nb["id"] != forced_id
    assert (nb["name"], nb["description"], nb["deleted_at"]) == ("Work", "d", None)


async def test_create_with_empty_body_is_allowed(client: httpx.AsyncClient, owner: Account) -> None:
    nb = ok(await client.post(f"{API}/notebooks", json={}, headers=owner.headers), 201)
    assert (nb["name"], nb["description"]) == ("", "")


async def test_get_update_delete(client: httpx.AsyncClient, owner: Account) -> None:
    nb = await notebook(client, owner, "Before")
    url = f"{API}/notebooks/{nb['id']}"
    got = ok(await client.get(url, headers=owner.headers))
    assert_notebook_shape(got)
    assert got["id"] == nb["id"]

    renamed = ok(await client.put(url, json={"name": "After"}, headers=owner.headers))
    assert (renamed["name"], renamed["description"]) == ("After", "")
    described = ok(await client.put(url, json={"description": "words"}, headers=owner.headers))
    assert (described["name"], described["description"]) == ("After", "words")
    emptied = ok(await client.put(url, json={"name": ""}, headers=owner.headers))
    assert emptied["name"] == ""
    assert instant(emptied["updated_at"]) > instant(nb["updated_at"])

    r = await client.delete(url, headers=owner.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert error_of(await client.get(url, headers=owner.headers), 404) == "Notebook not found"
    error_of(await client.put(url, json={"name": "x"}, headers=owner.headers), 404)
    error_of(await client.delete(url, headers=owner.headers), 404)
    listed = ok(await client.get(f"{API}/notebooks", headers=owner.headers))
    assert nb["id"] not in ids(listed)


async def test_list_and_name_filter(client: httpx.AsyncClient, owner: Account) -> None:
    tag = unknown_id()[:8]
    a = await notebook(client, owner, f"Alpha {tag}")
    b = await notebook(client, owner, f"beta {tag}")
    listed = ok(
        await client.get(
            f"{API}/notebooks", headers=owner.headers, params={"page": 1, "page_size": 1}
        )
    )
    assert {a["id"], b["id"]} <= ids(listed)  # page/page_size are ignored, as upstream
    for nb in listed:
        assert_notebook_shape(nb)
    alpha = ok(
        await client.get(f"{API}/notebooks", params={"name": f"Alpha {tag}"}, headers=owner.headers)
    )
    assert ids(alpha) == {a["id"]}
    # A substring match in which LIKE wildcards are literal.
    assert ids(
        ok(await client.get(f"{API}/notebooks", params={"name": f"a {tag}"}, headers=owner.headers))
    ) == {a["id"], b["id"]}
    assert (
        ok(await client.get(f"{API}/notebooks", params={"name": f"%{tag}"}, headers=owner.headers))
        == []
    )


async def test_trailing_slash_is_served_directly(client: httpx.AsyncClient, owner: Account) -> None:
    r = await client.post(f"{API}/notebooks/", json={"name": "slash"}, headers=owner.headers)
    nb = ok(r, 201)
    r = await client.get(f"{API}/notebooks/{nb['id']}/", headers=owner.headers)
    assert ok(r)["id"] == nb["id"]
    r = await client.get(f"{API}/notebooks/", headers=owner.headers)
    assert nb["id"] in ids(ok(r))
