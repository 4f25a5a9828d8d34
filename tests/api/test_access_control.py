"""Two users without roles on each other's things: 404 everywhere, nothing in any list,
and no request body can move data into or out of someone else's reach."""

from __future__ import annotations

import httpx

from tests.api.helpers import (
    API,
    Json,
    block,
    error_of,
    get,
    ids,
    note_blocks,
    notebook,
    notebook_with_note,
    ok,
    share,
    task,
    task_ids,
)
from tests.conftest import Account


async def owner_world(client: httpx.AsyncClient, owner: Account) -> dict[str, Json]:
    nb, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "private")
    t = await task(client, owner, title="private task", note_id=n["id"])
    loose = await task(client, owner, title="private loose task")
    return {"notebooks": nb, "notes": n, "blocks": b, "tasks": t, "loose": loose}


async def test_strangers_get_404_on_every_route(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    world = await owner_world(client, owner)
    h = outsider.headers
    for kind, item in world.items():
        path = f"{API}/{'tasks' if kind == 'loose' else kind}/{item['id']}"
        error_of(await client.get(path, headers=h), 404)
        error_of(
            await client.put(
                path, json={"title": "x", "name": "x", "content": {"text": "x"}}, headers=h
            ),
            404,
        )
        error_of(await client.delete(path, headers=h), 404)
    n = world["notes"]
    error_of(await client.get(f"{API}/blocks", params={"note_id": n["id"]}, headers=h), 404)
    error_of(await client.get(f"{API}/blocks/note/{n['id']}", headers=h), 404)
    error_of(await client.get(f"{API}/notebooks/{world['notebooks']['id']}/shares", headers=h), 404)
    error_of(
        await client.put(
            f"{API}/notebooks/{world['notebooks']['id']}/shares",
            json={"email": outsider.email, "role": "editor"},
            headers=h,
        ),
        404,
    )

    # Everything is intact for the owner.
    assert (await get(client, owner, f"/notes/{n['id']}"))["title"] == n["title"]
    assert (await get(client, owner, f"/blocks/{world['blocks']['id']}"))["content"] == {
        "text": "private"
    }
    for key in ("tasks", "loose"):
        got = await get(client, owner, f"/tasks/{world[key]['id']}")
        assert got["title"] == world[key]["title"]
    ok(await client.get(f"{API}/notebooks/{world['notebooks']['id']}", headers=owner.headers))


async def test_strangers_never_see_anything_in_lists(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    world = await owner_world(client, owner)
    trashed_nb, trashed_note = await notebook_with_note(client, owner)
    ok(await client.delete(f"{API}/notes/{trashed_note['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/notebooks/{trashed_nb['id']}", headers=owner.headers), 204)
    secret = {str(x["id"]) for x in world.values()} | {trashed_nb["id"], trashed_note["id"]}
    nb_id, note_id = world["notebooks"]["id"], world["notes"]["id"]

    seen: set[str] = set()
    seen |= ids(await get(client, outsider, "/notebooks"))
    seen |= ids(await get(client, outsider, "/notebooks", name=world["notebooks"]["name"]))
    seen |= ids(await get(client, outsider, "/notes"))
    seen |= ids(await get(client, outsider, "/notes", notebook_id=nb_id))
    seen |= ids(await get(client, outsider, "/blocks", page_size=500))
    seen |= ids(await get(client, outsider, "/blocks", type="task", page_size=500))
    seen |= await task_ids(client, outsider)
    seen |= await task_ids(client, outsider, note_id=note_id)
    seen |= await task_ids(client, outsider, block_id=world["tasks"]["metadata"]["block_id"])
    trash = await get(client, outsider, "/trash")
    seen |= ids(trash["notes"]) | ids(trash["notebooks"])
    for params in ({}, {"resource_id": nb_id}, {"resource_id": note_id}, {"user_id": owner.id}):
        for role in await get(client, outsider, "/roles", **params):
            seen |= {role["id"], role["resource_id"]}
    seen |= ids(await get(client, outsider, "/users"))
    assert not seen & (secret | {owner.id})


async def test_body_cannot_reassign_ownership_or_parents(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    world = await owner_world(client, owner)
    _, own_note = await notebook_with_note(client, outsider)
    own_block = await block(client, outsider, own_note["id"], "mine")

    # Pointing one's own block at someone else's note is ignored.
    r = await client.put(
        f"{API}/blocks/{own_block['id']}",
        json={"note_id": world["notes"]["id"], "user_id": owner.id},
        headers=outsider.headers,
    )
    moved = ok(r)
    assert (moved["note_id"], moved["user_id"]) == (own_note["id"], outsider.id)
    assert own_block["id"] not in ids(await note_blocks(client, owner, world["notes"]["id"]))

    r = await client.put(
        f"{API}/notes/{own_note['id']}", json={"user_id": owner.id}, headers=outsider.headers
    )
    assert ok(r)["user_id"] == outsider.id
    r = await client.post(
        f"{API}/notebooks", json={"name": "x", "user_id": owner.id}, headers=outsider.headers
    )
    assert ok(r, 201)["user_id"] == outsider.id
    r = await client.post(
        f"{API}/tasks", json={"title": "x", "user_id": owner.id}, headers=outsider.headers
    )
    assert ok(r, 201)["user_id"] == outsider.id


async def test_cannot_write_into_someone_elses_containers(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    world = await owner_world(client, owner)
    h = outsider.headers
    nb_id, note_id = world["notebooks"]["id"], world["notes"]["id"]
    own_nb, own_note = await notebook_with_note(client, outsider)
    tasks_before = await task_ids(client, outsider)
    blocks_before = ids(await note_blocks(client, owner, note_id))

    error_of(
        await client.post(f"{API}/notes", json={"notebook_id": nb_id, "title": "in"}, headers=h),
        404,
    )
    error_of(
        await client.put(f"{API}/notes/{own_note['id']}", json={"notebook_id": nb_id}, headers=h),
        404,
    )
    error_of(
        await client.post(
            f"{API}/blocks",
            json={"note_id": note_id, "type": "text", "content": {"text": "in"}},
            headers=h,
        ),
        404,
    )
    error_of(
        await client.post(f"{API}/tasks", json={"title": "in", "note_id": note_id}, headers=h), 404
    )
    error_of(
        await client.post(
            f"{API}/tasks", json={"title": "in", "block_id": world["blocks"]["id"]}, headers=h
        ),
        404,
    )

    # Nothing was half-created on either side.
    assert await task_ids(client, outsider) == tasks_before
    assert ids(await note_blocks(client, owner, note_id)) == blocks_before
    assert (await get(client, owner, f"/blocks/{world['blocks']['id']}"))["type"] == "text"
    assert ids(await get(client, owner, "/notes", notebook_id=nb_id)) == {note_id}
    assert (await get(client, outsider, f"/notes/{own_note['id']}"))["notebook_id"] == own_nb["id"]


async def test_moving_a_note_needs_write_access_to_the_destination(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    read_only = await notebook(client, owner)
    writable = await notebook(client, owner)
    await share(client, owner, read_only["id"], peer, "viewer")
    await share(client, owner, writable["id"], peer, "editor")
    _, mine = await notebook_with_note(client, peer)
    url = f"{API}/notes/{mine['id']}"
    error_of(
        await client.put(url, json={"notebook_id": read_only["id"]}, headers=peer.headers), 403
    )
    assert await get(client, owner, "/notes", notebook_id=read_only["id"]) == []
    moved = ok(await client.put(url, json={"notebook_id": writable["id"]}, headers=peer.headers))
    assert moved["notebook_id"] == writable["id"]
    assert mine["id"] in ids(await get(client, owner, "/notes", notebook_id=writable["id"]))
