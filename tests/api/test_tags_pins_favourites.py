"""Tags (normalised, nested, renamed and merged), pinned notes and favourites."""

from __future__ import annotations

import uuid

import httpx

from tests.api.helpers import API, Json, error_of, get, ids, note, notebook, ok, share
from tests.conftest import Account, register


def tag() -> str:
    return "t" + uuid.uuid4().hex[:8]


async def put_note(client: httpx.AsyncClient, who: Account, note_id: str, **body: object) -> Json:
    got: Json = ok(await client.put(f"{API}/notes/{note_id}", json=body, headers=who.headers))
    return got


async def test_tags_are_normalised_and_listed_with_counts(client: httpx.AsyncClient) -> None:
    me = await register(client)
    nb = await notebook(client, me)
    a, b = await note(client, me, nb["id"]), await note(client, me, nb["id"])
    got = await put_note(client, me, a["id"], tags=["  #Work / Clients ", "work/clients", "Ideas"])
    assert got["tags"] == ["work/clients", "ideas"]
    assert (await get(client, me, f"/notes/{a['id']}"))["tags"] == ["work/clients", "ideas"]
    await put_note(client, me, b["id"], tags=["IDEAS"])
    assert await get(client, me, "/tags") == [
        {"name": "ideas", "count": 2},
        {"name": "work/clients", "count": 1},
    ]
    assert ids(await get(client, me, "/notes", tag="ideas")) == {a["id"], b["id"]}
    assert ids(await get(client, me, "/notes", tag="work")) == {a["id"]}
    assert ids(await get(client, me, "/notes", tag="#Work/Clients")) == {a["id"]}
    assert await get(client, me, "/notes", tag="clients") == []
    await put_note(client, me, b["id"], tags=[])
    assert await get(client, me, "/tags") == [
        {"name": "ideas", "count": 1},
        {"name": "work/clients", "count": 1},
    ]


async def test_bad_tags_are_refused(client: httpx.AsyncClient, owner: Account) -> None:
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"])
    url, h = f"{API}/notes/{n['id']}", owner.headers
    for bad in (["#"], [" / "], ["a,b"], ["x" * 101], ["bell\x07"]):
        error_of(await client.put(url, json={"tags": bad}, headers=h), 400)
    error_of(await client.put(url, json={"tags": [tag() for _ in range(33)]}, headers=h), 400)
    error_of(await client.put(url, json={"tags": "work"}, headers=h), 422)
    error_of(await client.put(url, json={"tags": [1]}, headers=h), 422)
    error_of(await client.get(f"{API}/notes", params={"tag": "#"}, headers=h), 400)
    assert (await get(client, owner, f"/notes/{n['id']}"))["tags"] is None


async def test_rename_and_merge_across_notes(client: httpx.AsyncClient, peer: Account) -> None:
    me = await register(client)
    nb = await notebook(client, me)
    first = await note(client, me, nb["id"])
    second = await note(client, me, nb["id"])
    third = await note(client, me, nb["id"])
    await put_note(client, me, first["id"], tags=["work", "work/clients/acme"])
    await put_note(client, me, second["id"], tags=["job", "work"])
    await put_note(client, me, third["id"], tags=["home"])
    renamed = ok(
        await client.post(
            f"{API}/tags/rename", json={"from": "#Work", "to": "Job"}, headers=me.headers
        )
    )
    assert renamed == {"name": "job", "notes": 2}
    assert (await get(client, me, f"/notes/{first['id']}"))["tags"] == ["job", "job/clients/acme"]
    assert (await get(client, me, f"/notes/{second['id']}"))["tags"] == ["job"]  # merged
    assert await get(client, me, "/tags") == [
        {"name": "home", "count": 1},
        {"name": "job", "count": 2},
        {"name": "job/clients/acme", "count": 1},
    ]
    # A viewer of the notebook sees the tags but cannot rename them.
    await share(client, me, nb["id"], peer, "viewer")
    assert {"name": "home", "count": 1} in await get(client, peer, "/tags")
    r = await client.post(
        f"{API}/tags/rename", json={"from": "home", "to": "x"}, headers=peer.headers
    )
    assert ok(r) == {"name": "x", "notes": 0}
    assert (await get(client, me, f"/notes/{third['id']}"))["tags"] == ["home"]
    error_of(
        await client.post(f"{API}/tags/rename", json={"from": "", "to": "x"}, headers=me.headers),
        400,
    )
    error_of(await client.post(f"{API}/tags/rename", json={"to": "x"}, headers=me.headers), 422)


async def test_pinned_notes_come_first(client: httpx.AsyncClient, owner: Account) -> None:
    nb = await notebook(client, owner)
    old = await note(client, owner, nb["id"], "old")
    middle = await note(client, owner, nb["id"], "middle")
    new = await note(client, owner, nb["id"], "new")
    listed = await get(client, owner, "/notes", notebook_id=nb["id"])
    assert [n["id"] for n in listed] == [new["id"], middle["id"], old["id"]]
    assert all(n["pinned"] is False for n in listed)
    assert (await put_note(client, owner, old["id"], pinned=True))["pinned"] is True
    listed = await get(client, owner, "/notes", notebook_id=nb["id"])
    assert [(n["id"], n["pinned"]) for n in listed] == [
        (old["id"], True),
        (new["id"], False),
        (middle["id"], False),
    ]
    await put_note(client, owner, old["id"], pinned=False)
    listed = await get(client, owner, "/notes", notebook_id=nb["id"])
    assert [n["id"] for n in listed][-1] == middle["id"]
    error_of(
        await client.put(
            f"{API}/notes/{old['id']}", json={"pinned": "maybe"}, headers=owner.headers
        ),
        422,
    )


async def test_favourites_are_per_user(
    client: httpx.AsyncClient, owner: Account, peer: Account, outsider: Account
) -> None:
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "starred")
    other = await note(client, owner, nb["id"], "also")
    for target in (n, other, n):  # starring twice is harmless
        ok(await client.put(f"{API}/favourites/{target['id']}", headers=owner.headers), 204)
    favourites = await get(client, owner, "/favourites")
    assert [f["id"] for f in favourites if f["id"] in (n["id"], other["id"])] == [
        other["id"],
        n["id"],
    ]
    assert favourites[0]["blocks"] is None
    error_of(await client.put(f"{API}/favourites/{n['id']}", headers=outsider.headers), 404)
    error_of(await client.put(f"{API}/favourites/{uuid.uuid4()}", headers=owner.headers), 404)
    await share(client, owner, nb["id"], peer, "viewer")
    ok(await client.put(f"{API}/favourites/{n['id']}", headers=peer.headers), 204)
    assert n["id"] in ids(await get(client, peer, "/favourites"))
    ok(await client.delete(f"{API}/favourites/{n['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/favourites/{n['id']}", headers=owner.headers), 204)
    assert n["id"] not in ids(await get(client, owner, "/favourites"))
    assert n["id"] in ids(await get(client, peer, "/favourites"))
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    assert n["id"] not in ids(await get(client, peer, "/favourites"))
