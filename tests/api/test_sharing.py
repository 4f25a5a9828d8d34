"""Sharing notebooks as viewer or editor, and the role endpoints."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import (
    API,
    ROLE_KEYS,
    Json,
    block,
    error_of,
    get,
    ids,
    note,
    notebook,
    notebook_with_note,
    ok,
    share,
    task,
    task_ids,
)
from tests.conftest import Account, register


async def shared_setup(
    client: httpx.AsyncClient, owner: Account, to: Account, role: str
) -> tuple[Json, Json, Json, Json]:
    """A notebook with a note, a block and a task, shared with ``to``."""
    nb, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "shared text")
    t = await task(client, owner, title="shared task", note_id=n["id"])
    got = await share(client, owner, nb["id"], to, role)
    assert got["user_id"] == to.id
    assert got["role"] == role
    assert got["email"] == to.email
    return nb, n, b, t


async def test_viewer_reads_everything_and_writes_nothing(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    nb, n, b, t = await shared_setup(client, owner, peer, "viewer")
    h = peer.headers

    got_nb = await get(client, peer, f"/notebooks/{nb['id']}")
    assert (got_nb["id"], got_nb["role"]) == (nb["id"], "viewer")
    assert nb["id"] in ids(await get(client, peer, "/notebooks"))
    listed = await get(client, peer, "/notes", notebook_id=nb["id"])
    assert ids(listed) == {n["id"]}
    assert b["id"] in ids(listed[0]["blocks"])
    assert n["id"] in ids(await get(client, peer, "/notes"))
    assert (await get(client, peer, f"/notes/{n['id']}"))["role"] == "viewer"
    assert b["id"] in ids(await get(client, peer, "/blocks", note_id=n["id"]))
    assert (await get(client, peer, f"/blocks/{b['id']}"))["content"] == {"text": "shared text"}
    assert t["id"] in await task_ids(client, peer, note_id=n["id"])
    assert t["id"] in await task_ids(client, peer)
    assert (await get(client, peer, f"/tasks/{t['id']}"))["title"] == "shared task"

    refused: list[httpx.Response] = [
        await client.put(f"{API}/notebooks/{nb['id']}", json={"name": "x"}, headers=h),
        await client.delete(f"{API}/notebooks/{nb['id']}", headers=h),
        await client.post(f"{API}/notes", json={"notebook_id": nb["id"]}, headers=h),
        await client.put(f"{API}/notes/{n['id']}", json={"title": "x"}, headers=h),
        await client.delete(f"{API}/notes/{n['id']}", headers=h),
        await client.post(
            f"{API}/blocks",
            json={"note_id": n["id"], "type": "text", "content": {"text": "x"}},
            headers=h,
        ),
        await client.put(f"{API}/blocks/{b['id']}", json={"content": {"text": "x"}}, headers=h),
        await client.delete(f"{API}/blocks/{b['id']}", headers=h),
        await client.post(f"{API}/tasks", json={"title": "x", "note_id": n["id"]}, headers=h),
        await client.post(f"{API}/tasks", json={"block_id": b["id"]}, headers=h),
        await client.put(f"{API}/tasks/{t['id']}", json={"is_completed": True}, headers=h),
        await client.delete(f"{API}/tasks/{t['id']}", headers=h),
        await client.put(
            f"{API}/notebooks/{nb['id']}/shares",
            json={"email": peer.email, "role": "editor"},
            headers=h,
        ),
        await client.get(f"{API}/notebooks/{nb['id']}/shares", headers=h),
        await client.post(f"{API}/trash/restore/note/{n['id']}", headers=h),
    ]
    for r in refused[:-1]:
        error_of(r, 403)
    error_of(refused[-1], 404)  # not in the trash at all

    # Nothing changed.
    assert (await get(client, owner, f"/notebooks/{nb['id']}"))["name"] == nb["name"]
    note_now = await get(client, owner, f"/notes/{n['id']}")
    assert note_now["title"] == n["title"]
    assert len(note_now["blocks"]) == 3
    assert (await get(client, owner, f"/blocks/{b['id']}"))["content"] == {"text": "shared text"}
    assert (await get(client, owner, f"/tasks/{t['id']}"))["is_completed"] is False
    assert await task_ids(client, owner, note_id=n["id"]) == {t["id"]}


async def test_editor_writes_content_but_cannot_delete_or_share_the_notebook(
    client: httpx.AsyncClient, owner: Account, peer: Account, outsider: Account
) -> None:
    nb, n, b, t = await shared_setup(client, owner, peer, "editor")
    h = peer.headers
    assert (await get(client, peer, f"/notebooks/{nb['id']}"))["role"] == "editor"

    ok(
        await client.put(
            f"{API}/notebooks/{nb['id']}", json={"description": "by editor"}, headers=h
        )
    )
    ok(await client.put(f"{API}/notes/{n['id']}", json={"title": "edited"}, headers=h))
    ok(await client.put(f"{API}/blocks/{b['id']}", json={"content": "edited"}, headers=h))
    new_block = await block(client, peer, n["id"], "from editor", type="task")
    ok(await client.put(f"{API}/tasks/{t['id']}", json={"is_completed": True}, headers=h))
    new_note = await note(client, peer, nb["id"], "editor's note")
    ok(await client.delete(f"{API}/blocks/{b['id']}", headers=h), 204)

    owner_view = await get(client, owner, f"/notes/{n['id']}")
    assert owner_view["title"] == "edited"
    assert new_block["id"] in ids(owner_view["blocks"])
    assert b["id"] not in ids(owner_view["blocks"])
    assert (await get(client, owner, f"/tasks/{t['id']}"))["is_completed"] is True
    # The task made from the editor's task block is visible to the owner too.
    assert len(await task_ids(client, owner, note_id=n["id"])) == 2
    assert new_note["id"] in ids(await get(client, owner, "/notes", notebook_id=nb["id"]))

    error_of(await client.delete(f"{API}/notebooks/{nb['id']}", headers=h), 403)
    error_of(await client.delete(f"{API}/notes/{n['id']}", headers=h), 403)
    r = await client.put(
        f"{API}/notebooks/{nb['id']}/shares",
        json={"email": outsider.email, "role": "viewer"},
        headers=h,
    )
    error_of(r, 403)
    r = await client.post(
        f"{API}/roles",
        json={
            "email": outsider.email,
            "resource_id": nb["id"],
            "resource_type": "notebook",
            "role": "viewer",
        },
        headers=h,
    )
    error_of(r, 403)
    error_of(
        await client.delete(
            f"{API}/notebooks/{nb['id']}/shares/{peer.id}", headers=outsider.headers
        ),
        404,
    )
    ok(await client.get(f"{API}/notebooks/{nb['id']}", headers=owner.headers))
    error_of(await client.get(f"{API}/notebooks/{nb['id']}", headers=outsider.headers), 404)


async def test_revoking_a_share_hides_everything_again(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    nb, n, b, t = await shared_setup(client, owner, peer, "editor")
    shares = await get(client, owner, f"/notebooks/{nb['id']}/shares")
    assert [(s["user_id"], s["role"]) for s in shares] == [(peer.id, "editor")]
    r = await client.delete(f"{API}/notebooks/{nb['id']}/shares/{peer.id}", headers=owner.headers)
    assert r.status_code == 204
    for path in (
        f"/notebooks/{nb['id']}",
        f"/notes/{n['id']}",
        f"/blocks/{b['id']}",
        f"/tasks/{t['id']}",
    ):
        error_of(await client.get(f"{API}{path}", headers=peer.headers), 404)
    assert nb["id"] not in ids(await get(client, peer, "/notebooks"))
    assert n["id"] not in ids(await get(client, peer, "/notes"))
    assert t["id"] not in await task_ids(client, peer)
    assert await get(client, owner, f"/notebooks/{nb['id']}/shares") == []
    r = await client.delete(f"{API}/notebooks/{nb['id']}/shares/{peer.id}", headers=owner.headers)
    error_of(r, 404)


async def test_resharing_replaces_the_role(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    nb = await notebook(client, owner)
    await share(client, owner, nb["id"], peer, "viewer")
    await share(client, owner, nb["id"], peer, "editor")
    shares = await get(client, owner, f"/notebooks/{nb['id']}/shares")
    assert [(s["user_id"], s["role"]) for s in shares] == [(peer.id, "editor")]
    mine = await get(client, peer, "/roles", resource_id=nb["id"])
    assert [(r["role"], r["resource_type"]) for r in mine] == [("editor", "notebook")]


async def test_share_input_is_checked(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    nb = await notebook(client, owner)
    url = f"{API}/notebooks/{nb['id']}/shares"
    for role in ("owner", "admin", "reader"):
        error_of(
            await client.put(url, json={"email": peer.email, "role": role}, headers=owner.headers),
            422,
        )
    error_of(
        await client.put(url, json={"email": owner.email, "role": "viewer"}, headers=owner.headers),
        409,  # the owner already has full access: a conflict with what exists
    )
    error_of(
        await client.put(
            url, json={"email": "nobody-here@example.com", "role": "viewer"}, headers=owner.headers
        ),
        404,
    )
    assert await get(client, owner, f"/notebooks/{nb['id']}/shares") == []


async def test_roles_endpoint_grants_and_removes(
    client: httpx.AsyncClient, owner: Account, peer: Account, outsider: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    sibling = await note(client, owner, nb["id"], "not shared")
    body: dict[str, Any] = {
        "user_id": peer.id,
        "resource_id": n["id"],
        "resource_type": "note",
        "role": "viewer",
    }
    granted = ok(await client.post(f"{API}/roles", json=body, headers=owner.headers))
    assert granted["message"] == "Role assigned successfully"
    assert (granted["user_id"], granted["resource_id"], granted["role"]) == (
        peer.id,
        n["id"],
        "viewer",
    )
    ok(await client.get(f"{API}/notes/{n['id']}", headers=peer.headers))
    error_of(await client.get(f"{API}/notes/{sibling['id']}", headers=peer.headers), 404)
    error_of(await client.get(f"{API}/notebooks/{nb['id']}", headers=peer.headers), 404)
    assert n["id"] in ids(await get(client, peer, "/notes"))

    roles = await get(client, owner, "/roles", resource_id=n["id"])
    for row in roles:
        assert set(row) == ROLE_KEYS
    assert {(r["user_id"], r["role"]) for r in roles} == {(owner.id, "owner"), (peer.id, "viewer")}
    [peer_role] = [r for r in roles if r["user_id"] == peer.id]
    [owner_role] = [r for r in roles if r["user_id"] == owner.id]
    assert await get(client, outsider, "/roles", resource_id=n["id"]) == []

    # Strangers cannot remove roles; nobody removes an owner role.
    error_of(await client.delete(f"{API}/roles/{peer_role['id']}", headers=outsider.headers), 404)
    error_of(await client.delete(f"{API}/roles/{owner_role['id']}", headers=outsider.headers), 404)
    error_of(await client.delete(f"{API}/roles/{owner_role['id']}", headers=peer.headers), 403)
    error_of(await client.delete(f"{API}/roles/{owner_role['id']}", headers=owner.headers), 403)
    ok(await client.get(f"{API}/notes/{n['id']}", headers=peer.headers))

    removed = ok(await client.delete(f"{API}/roles/{peer_role['id']}", headers=owner.headers))
    assert removed == {"message": "Role removed successfully"}
    error_of(await client.get(f"{API}/notes/{n['id']}", headers=peer.headers), 404)
    error_of(await client.delete(f"{API}/roles/{peer_role['id']}", headers=owner.headers), 404)


async def test_a_member_can_leave_a_share(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    nb = await notebook(client, owner)
    await share(client, owner, nb["id"], peer, "viewer")
    [role] = await get(client, peer, "/roles", resource_id=nb["id"])
    ok(await client.delete(f"{API}/roles/{role['id']}", headers=peer.headers))
    error_of(await client.get(f"{API}/notebooks/{nb['id']}", headers=peer.headers), 404)


async def test_roles_cannot_escalate(
    client: httpx.AsyncClient, owner: Account, peer: Account, outsider: Account
) -> None:
    nb = await notebook(client, owner)
    attempts: list[dict[str, Any]] = [
        # Upstream defect 1: "owner of yourself" made anyone a global admin.
        {
            "user_id": outsider.id,
            "resource_id": outsider.id,
            "resource_type": "user",
            "role": "admin",
        },
        {
            "user_id": outsider.id,
            "resource_id": outsider.id,
            "resource_type": "user",
            "role": "viewer",
        },
        {"user_id": peer.id, "resource_id": nb["id"], "resource_type": "notebook", "role": "admin"},
        {"user_id": peer.id, "resource_id": nb["id"], "resource_type": "notebook", "role": "owner"},
        {"user_id": peer.id, "resource_id": nb["id"], "resource_type": "block", "role": "viewer"},
    ]
    for body in attempts:
        r = await client.post(f"{API}/roles", json=body, headers=outsider.headers)
        assert r.status_code in (400, 422), r.text
        error_of(r, r.status_code)
        r = await client.post(f"{API}/roles", json=body, headers=owner.headers)
        assert r.status_code in (400, 422), r.text
    # A stranger cannot grant anything on someone else's notebook, not even to themselves.
    for who in (outsider, peer):
        r = await client.post(
            f"{API}/roles",
            json={
                "user_id": who.id,
                "resource_id": nb["id"],
                "resource_type": "notebook",
                "role": "editor",
            },
            headers=outsider.headers,
        )
        error_of(r, 404)
    error_of(await client.get(f"{API}/notebooks/{nb['id']}", headers=outsider.headers), 404)
    assert [u["id"] for u in await get(client, outsider, "/users")] == [outsider.id]
    # Nobody removes another user's own account role.
    [self_role] = await get(client, outsider, "/roles", resource_type="user")
    assert (self_role["resource_id"], self_role["role"]) == (outsider.id, "owner")
    error_of(await client.delete(f"{API}/roles/{self_role['id']}", headers=owner.headers), 404)
    error_of(await client.delete(f"{API}/roles/{self_role['id']}", headers=outsider.headers), 403)
    error_of(await client.get(f"{API}/notebooks/{nb['id']}", headers=peer.headers), 404)


async def test_deleting_an_account_ends_the_shares_it_gave(
    client: httpx.AsyncClient, peer: Account
) -> None:
    leaving = await register(client)
    nb = await notebook(client, leaving)
    await share(client, leaving, nb["id"], peer, "editor")
    assert (
        await client.get(f"/api/v1/notebooks/{nb['id']}", headers=peer.headers)
    ).status_code == 200

    r = await client.delete(f"/api/v1/users/{leaving.id}", headers=leaving.headers)
    assert r.status_code == 204

    gone = await client.get(f"/api/v1/notebooks/{nb['id']}", headers=peer.headers)
    assert gone.status_code == 404
    listed = await client.get("/api/v1/notebooks", headers=peer.headers)
    assert nb["id"] not in {n["id"] for n in listed.json()}
