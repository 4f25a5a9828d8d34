"""Trash: batches, restore, permanent delete, empty."""

from __future__ import annotations

import httpx

from tests.api.helpers import (
    API,
    NOTE_KEYS,
    Json,
    block,
    error_of,
    get,
    ids,
    note,
    note_blocks,
    notebook,
    notebook_with_note,
    ok,
    task,
    task_ids,
    unknown_id,
)
from tests.conftest import Account


async def trash_of(client: httpx.AsyncClient, who: Account) -> tuple[set[str], set[str]]:
    body = await get(client, who, "/trash")
    assert set(body) == {"notes", "notebooks"}
    return ids(body["notes"]), ids(body["notebooks"])


async def restore(client: httpx.AsyncClient, who: Account, kind: str, item: Json) -> Json:
    r = await client.post(f"{API}/trash/restore/{kind}/{item['id']}", json={}, headers=who.headers)
    body: Json = ok(r)
    assert body == {"message": "Item restored successfully", "type": kind, "id": item["id"]}
    return body


async def test_trashed_note_leaves_lists_and_enters_the_trash(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    body = await get(client, owner, "/trash")
    [trashed] = [x for x in body["notes"] if x["id"] == n["id"]]
    assert set(trashed) >= NOTE_KEYS
    assert trashed["blocks"] is None
    assert trashed["deleted_at"] is not None
    assert (
        ok(
            await client.get(
                f"{API}/notes", params={"notebook_id": nb["id"]}, headers=owner.headers
            )
        )
        == []
    )
    assert n["id"] not in ids(await get(client, owner, "/notes"))


async def test_restore_note_brings_back_exactly_its_batch(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    keep = await block(client, owner, n["id"], "keep")
    gone = await block(client, owner, n["id"], "deleted before")
    kept_task = await task(client, owner, title="kept", note_id=n["id"])
    gone_task = await task(client, owner, title="deleted before", note_id=n["id"])
    before = ids(await note_blocks(client, owner, n["id"]))
    ok(await client.delete(f"{API}/blocks/{gone['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/tasks/{gone_task['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    assert kept_task["id"] not in await task_ids(client, owner)

    await restore(client, owner, "note", n)
    after = ids(await note_blocks(client, owner, n["id"]))
    assert after == before - {gone["id"], gone_task["metadata"]["block_id"]}
    assert keep["id"] in after
    error_of(await client.get(f"{API}/blocks/{gone['id']}", headers=owner.headers), 404)
    assert await task_ids(client, owner, note_id=n["id"]) == {kept_task["id"]}
    assert n["id"] not in (await trash_of(client, owner))[0]
    assert n["id"] in ids(await get(client, owner, "/notes", notebook_id=nb["id"]))


async def test_notebook_trash_and_restore_is_one_batch(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, n1 = await notebook_with_note(client, owner)
    n2 = await note(client, owner, nb["id"])
    b = await block(client, owner, n2["id"], "b")
    t = await task(client, owner, title="t", note_id=n1["id"])
    loose = await task(client, owner, title="outside any note")

    ok(await client.delete(f"{API}/notebooks/{nb['id']}", headers=owner.headers), 204)
    for path in (
        f"/notes/{n1['id']}",
        f"/notes/{n2['id']}",
        f"/blocks/{b['id']}",
        f"/tasks/{t['id']}",
        f"/blocks/{t['metadata']['block_id']}",
    ):
        error_of(await client.get(f"{API}{path}", headers=owner.headers), 404)
    assert not {n1["id"], n2["id"]} & ids(await get(client, owner, "/notes"))
    assert t["id"] not in await task_ids(client, owner)
    assert loose["id"] in await task_ids(client, owner)
    notes, notebooks = await trash_of(client, owner)
    assert nb["id"] in notebooks
    # Notes trashed with their notebook come back with it, so they are listed under it only.
    assert not {n1["id"], n2["id"]} & notes

    await restore(client, owner, "notebook", nb)
    assert ids(await get(client, owner, "/notes", notebook_id=nb["id"])) == {n1["id"], n2["id"]}
    ok(await client.get(f"{API}/blocks/{b['id']}", headers=owner.headers))
    assert ok(await client.get(f"{API}/tasks/{t['id']}", headers=owner.headers))["id"] == t["id"]
    assert len(await note_blocks(client, owner, n1["id"])) == 2
    assert nb["id"] not in (await trash_of(client, owner))[1]


async def test_note_trashed_before_its_notebook_stays_in_trash(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, early = await notebook_with_note(client, owner)
    later = await note(client, owner, nb["id"])
    ok(await client.delete(f"{API}/notes/{early['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/notebooks/{nb['id']}", headers=owner.headers), 204)
    notes, notebooks = await trash_of(client, owner)
    assert early["id"] in notes
    assert later["id"] not in notes
    assert nb["id"] in notebooks

    r = await client.post(f"{API}/trash/restore/note/{early['id']}", headers=owner.headers)
    error_of(r, 409)
    await restore(client, owner, "notebook", nb)
    assert ids(await get(client, owner, "/notes", notebook_id=nb["id"])) == {later["id"]}
    assert early["id"] in (await trash_of(client, owner))[0]
    await restore(client, owner, "note", early)
    assert ids(await get(client, owner, "/notes", notebook_id=nb["id"])) == {
        early["id"],
        later["id"],
    }
    assert len(await note_blocks(client, owner, early["id"])) == 1


async def test_restore_needs_a_trashed_item(client: httpx.AsyncClient, owner: Account) -> None:
    nb, n = await notebook_with_note(client, owner)
    for kind, item in (("note", n), ("notebook", nb)):
        r = await client.post(f"{API}/trash/restore/{kind}/{item['id']}", headers=owner.headers)
        error_of(r, 404)
        r = await client.post(f"{API}/trash/restore/{kind}/{unknown_id()}", headers=owner.headers)
        error_of(r, 404)


async def test_permanent_delete_only_trashed_items(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title="t", note_id=n["id"])
    url = f"{API}/trash/note/{n['id']}"
    error_of(await client.delete(url, headers=owner.headers), 404)  # live: refused
    ok(await client.get(f"{API}/notes/{n['id']}", headers=owner.headers))

    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    body = ok(await client.delete(url, headers=owner.headers))
    assert body == {"message": "Item permanently deleted", "type": "note", "id": n["id"]}
    assert n["id"] not in (await trash_of(client, owner))[0]
    error_of(await client.post(f"{API}/trash/restore/note/{n['id']}", headers=owner.headers), 404)
    error_of(await client.delete(url, headers=owner.headers), 404)
    error_of(await client.get(f"{API}/tasks/{t['id']}", headers=owner.headers), 404)
    ok(await client.get(f"{API}/notebooks/{nb['id']}", headers=owner.headers))


async def test_permanent_delete_notebook(client: httpx.AsyncClient, owner: Account) -> None:
    nb, n = await notebook_with_note(client, owner)
    await task(client, owner, title="t", note_id=n["id"])
    await block(client, owner, n["id"], "b")
    url = f"{API}/trash/notebook/{nb['id']}"
    error_of(await client.delete(url, headers=owner.headers), 404)
    ok(await client.delete(f"{API}/notebooks/{nb['id']}", headers=owner.headers), 204)
    body = ok(await client.delete(url, headers=owner.headers))
    assert body == {"message": "Item permanently deleted", "type": "notebook", "id": nb["id"]}
    notes, notebooks = await trash_of(client, owner)
    assert nb["id"] not in notebooks
    assert n["id"] not in notes
    error_of(
        await client.post(f"{API}/trash/restore/notebook/{nb['id']}", headers=owner.headers), 404
    )


async def test_empty_trash(client: httpx.AsyncClient, alice: Account) -> None:
    nb, n = await notebook_with_note(client, alice)
    await task(client, alice, title="t", note_id=n["id"])
    lone_nb, lone = await notebook_with_note(client, alice)
    survivor_nb, survivor = await notebook_with_note(client, alice)
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=alice.headers), 204)
    ok(await client.delete(f"{API}/notebooks/{nb['id']}", headers=alice.headers), 204)
    ok(await client.delete(f"{API}/notes/{lone['id']}", headers=alice.headers), 204)
    assert await trash_of(client, alice) == ({n["id"], lone["id"]}, {nb["id"]})

    body = ok(await client.delete(f"{API}/trash", headers=alice.headers))
    assert body == {"message": "Trash emptied successfully"}
    assert await trash_of(client, alice) == (set(), set())
    assert ids(await get(client, alice, "/notebooks")) == {lone_nb["id"], survivor_nb["id"]}
    assert ids(await get(client, alice, "/notes")) == {survivor["id"]}
    # Emptying an empty trash is fine too.
    ok(await client.delete(f"{API}/trash", headers=alice.headers))


async def test_unsupported_item_type_is_400(client: httpx.AsyncClient, owner: Account) -> None:
    item = unknown_id()
    for r in (
        await client.post(f"{API}/trash/restore/block/{item}", headers=owner.headers),
        await client.delete(f"{API}/trash/task/{item}", headers=owner.headers),
    ):
        assert error_of(r, 400) == "Unsupported item type. Must be 'note' or 'notebook'"


async def test_other_users_trash_is_invisible(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    other_nb = await notebook(client, owner)
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/notebooks/{other_nb['id']}", headers=owner.headers), 204)
    notes, notebooks = await trash_of(client, outsider)
    assert n["id"] not in notes
    assert other_nb["id"] not in notebooks
    for kind, item in (("note", n), ("notebook", other_nb)):
        error_of(
            await client.post(f"{API}/trash/restore/{kind}/{item['id']}", headers=outsider.headers),
            404,
        )
        error_of(
            await client.delete(f"{API}/trash/{kind}/{item['id']}", headers=outsider.headers), 404
        )
    ok(await client.delete(f"{API}/trash", headers=outsider.headers))
    notes, notebooks = await trash_of(client, owner)
    assert n["id"] in notes
    assert other_nb["id"] in notebooks
    assert nb["id"] not in notebooks
