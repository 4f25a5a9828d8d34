"""Bad input never gives a 500: every failure is a JSON ``{"error": ...}`` with a 4xx code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.api.helpers import (
    API,
    block,
    error_of,
    get,
    ids,
    note_blocks,
    notebook_with_note,
    ok,
    task_ids,
    unknown_id,
)
from tests.conftest import Account, LiveServer

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/notebooks"),
        ("POST", "/notes"),
        ("POST", "/blocks"),
        ("POST", "/tasks"),
        ("PUT", "/profile"),
        ("POST", "/roles"),
    ],
)
async def test_malformed_json_is_400(
    client: httpx.AsyncClient, owner: Account, method: str, path: str
) -> None:
    r = await client.request(
        method, f"{API}{path}", content=b'{"name": "x",', headers={**owner.headers, **JSON}
    )
    assert error_of(r, 400) == "malformed JSON body"


async def test_malformed_json_on_public_and_item_routes(
    client: httpx.AsyncClient, owner: Account
) -> None:
    for path in ("/login", "/register", "/refresh"):
        error_of(await client.post(f"{API}{path}", content=b"{oops", headers=JSON), 400)
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"])
    r = await client.put(
        f"{API}/blocks/{b['id']}", content=b"[1,", headers={**owner.headers, **JSON}
    )
    error_of(r, 400)
    assert (await get(client, owner, f"/blocks/{b['id']}"))["content"] == b["content"]


async def test_wrong_types_and_missing_fields_are_422(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    cases: list[tuple[str, str, Any]] = [
        ("POST", "/notebooks", {"name": 5}),
        ("POST", "/notebooks", ["not", "an", "object"]),
        ("POST", "/notes", {"notebook_id": 12}),
        ("POST", "/notes", {"notebook_id": "not-a-uuid"}),
        ("POST", "/blocks", {"type": "text", "content": {"text": ""}}),
        ("POST", "/blocks", {"note_id": n["id"], "content": {"text": ""}}),
        ("POST", "/blocks", {"note_id": n["id"], "type": "", "content": {}}),
        ("POST", "/blocks", {"note_id": n["id"], "type": "text", "content": 5}),
        ("POST", "/blocks", {"note_id": n["id"], "type": "text", "content": {}, "order": "abc"}),
        ("POST", "/blocks", {"note_id": n["id"], "type": "text", "content": {}, "order": "NaN"}),
        ("POST", "/blocks", {"note_id": n["id"], "type": "text", "metadata": [1]}),
        ("POST", "/tasks", {"title": "x", "is_completed": "maybe"}),
        ("POST", "/tasks", {"title": ["x"]}),
        ("POST", "/tasks", {"title": "x", "due_date": "not a date"}),
        ("POST", "/tasks", {"title": "x", "note_id": "nope"}),
        ("POST", "/register", {"email": "x@example.com"}),
        ("POST", "/register", {"email": "not-an-email", "password": "p"}),
        ("POST", "/register", {"email": "x@example.com", "password": ""}),
        ("POST", "/login", {"email": "x@example.com"}),
        ("POST", "/refresh", {}),
        ("PUT", f"/users/{owner.id}/password", {"new_password": "x"}),
        ("PUT", f"/users/{owner.id}", {"email": "nope"}),
        ("POST", "/roles", {"resource_id": n["id"], "resource_type": "note", "role": "viewer"}),
        ("PUT", f"/notebooks/{unknown_id()}/shares", {"email": "x@example.com"}),
    ]
    for method, path, body in cases:
        r = await client.request(method, f"{API}{path}", json=body, headers=owner.headers)
        message = error_of(r, 422)
        assert "detail" not in message
        assert isinstance(r.json().get("detail"), list), r.text
    assert len(await note_blocks(client, owner, n["id"])) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/notebooks/nope",
        "/notes/nope",
        "/blocks/nope",
        "/tasks/nope",
        "/users/nope",
        "/blocks/note/nope",
        "/notebooks/123/shares",
    ],
)
async def test_invalid_uuid_in_path_is_422(
    client: httpx.AsyncClient, owner: Account, path: str
) -> None:
    error_of(await client.get(f"{API}{path}", headers=owner.headers), 422)
    if path.count("/") == 2:
        error_of(await client.put(f"{API}{path}", json={}, headers=owner.headers), 422)
        error_of(await client.delete(f"{API}{path}", headers=owner.headers), 422)


async def test_invalid_uuids_elsewhere(client: httpx.AsyncClient, owner: Account) -> None:
    error_of(await client.delete(f"{API}/roles/nope", headers=owner.headers), 422)
    error_of(await client.post(f"{API}/trash/restore/note/nope", headers=owner.headers), 422)
    error_of(await client.delete(f"{API}/trash/notebook/nope", headers=owner.headers), 422)
    error_of(
        await client.get(f"{API}/notes", params={"notebook_id": "x"}, headers=owner.headers), 422
    )
    error_of(await client.get(f"{API}/blocks", params={"page": "one"}, headers=owner.headers), 422)
    # A malformed id filter on roles simply matches nothing.
    assert await get(client, owner, "/roles", user_id="nope") == []
    assert await get(client, owner, "/roles", resource_id="nope") == []


@pytest.mark.parametrize("kind", ["notebooks", "notes", "blocks", "tasks", "roles"])
async def test_unknown_ids_are_404(client: httpx.AsyncClient, owner: Account, kind: str) -> None:
    url = f"{API}/{kind}/{unknown_id()}"
    if kind != "roles":
        error_of(await client.get(url, headers=owner.headers), 404)
        error_of(await client.put(url, json={}, headers=owner.headers), 404)
    error_of(await client.delete(url, headers=owner.headers), 404)


async def test_unknown_routes_and_methods(client: httpx.AsyncClient, owner: Account) -> None:
    error_of(await client.get(f"{API}/nothing-here", headers=owner.headers), 404)
    error_of(await client.patch(f"{API}/notebooks", json={}, headers=owner.headers), 405)


async def test_oversized_body_is_413(
    client: httpx.AsyncClient, server: LiveServer, owner: Account
) -> None:
    limit = server.settings.max_body_bytes
    big = {"name": "x" * (limit + 10)}
    r = await client.post(f"{API}/notebooks", json=big, headers=owner.headers)
    assert str(limit) in error_of(r, 413)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"name": "'
        for _ in range(limit // 1024 + 2):
            yield b"y" * 1024
        yield b'"}'

    r = await client.post(f"{API}/notebooks", content=chunks(), headers={**owner.headers, **JSON})
    error_of(r, 413)
    names = {nb["name"][:1] for nb in await get(client, owner, "/notebooks")}
    assert not names & {"x", "y"}


async def test_body_just_under_the_limit_is_accepted(
    client: httpx.AsyncClient, server: LiveServer, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    text = "z" * (server.settings.max_body_bytes - 1024)
    b = await block(client, owner, n["id"], text)
    assert len(b["content"]["text"]) == len(text)


async def test_failed_writes_leave_nothing_behind(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    before_tasks = await task_ids(client, owner)
    before_blocks = ids(await note_blocks(client, owner, n["id"]))
    failures = [
        ({"title": "ghost", "block_id": unknown_id()}, 404),
        ({"title": "ghost", "note_id": unknown_id()}, 404),
        ({"title": "ghost", "note_id": n["id"], "due_date": "someday"}, 422),
    ]
    for body, status in failures:
        r = await client.post(f"{API}/tasks", json=body, headers=owner.headers)
        error_of(r, status)
    assert await task_ids(client, owner) == before_tasks
    assert ids(await note_blocks(client, owner, n["id"])) == before_blocks
    r = await client.post(
        f"{API}/blocks",
        json={"note_id": unknown_id(), "type": "task", "content": {"text": "ghost"}},
        headers=owner.headers,
    )
    error_of(r, 404)
    assert await task_ids(client, owner) == before_tasks


async def test_errors_are_json_even_without_a_token(client: httpx.AsyncClient) -> None:
    r = await client.put(f"{API}/notes/{unknown_id()}", json={})
    assert error_of(r, 401) == "Authentication required"
    r = await client.post(f"{API}/notes", content=b"{bad")
    assert r.status_code in (400, 401)
    error_of(r, r.status_code)
    assert ok(await client.get("/healthz"))


async def test_nul_characters_are_refused_not_a_500(
    client: httpx.AsyncClient, owner: Account
) -> None:
    # PostgreSQL cannot store U+0000 in text or jsonb; both databases must answer alike.
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"])
    writes: list[tuple[str, str, Any]] = [
        ("POST", "/notebooks", {"name": "a\x00b"}),
        ("PUT", f"/notes/{n['id']}", {"title": "\x00"}),
        ("PUT", f"/blocks/{b['id']}", {"content": "nul \x00"}),
        ("PUT", f"/blocks/{b['id']}", {"metadata": {"spans": [{"href": "\x00"}]}}),
        ("PUT", f"/blocks/{b['id']}", {"metadata": {"key\x00": 1}}),
        ("POST", "/tasks", {"title": "t\x00"}),
        ("PUT", "/profile", {"display_name": "\x00"}),
        ("POST", "/login", {"email": "a\x00@example.com", "password": "x"}),
    ]
    for method, path, body in writes:
        r = await client.request(method, f"{API}{path}", json=body, headers=owner.headers)
        assert "NUL" in error_of(r, 422)
    for path, params in (
        ("/notes", {"title": "\x00"}),
        ("/notebooks", {"name": "\x00"}),
        ("/blocks", {"type": "\x00"}),
        ("/roles", {"role": "\x00"}),
        ("/users", {"username": "\x00"}),
    ):
        error_of(await client.get(f"{API}{path}", params=params, headers=owner.headers), 422)
    assert (await get(client, owner, f"/blocks/{b['id']}"))["content"] == b["content"]
