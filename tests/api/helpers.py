"""Small REST helpers shared by the API tests: create things, check error bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.conftest import Account

API = "/api/v1"

USER_KEYS = {
    "id",
    "email",
    "username",
    "display_name",
    "profile_pic",
    "preferences",
    "time_zone",
    "email_reminders",
    "created_at",
    "updated_at",
    "deleted_at",
}
PUBLIC_USER_KEYS = {"id", "username", "display_name", "profile_pic"}
NOTEBOOK_KEYS = {
    "id",
    "user_id",
    "name",
    "description",
    "notes",
    "created_at",
    "updated_at",
    "deleted_at",
}
NOTE_KEYS = {
    "id",
    "user_id",
    "notebook_id",
    "title",
    "blocks",
    "tags",
    "pinned",
    "created_at",
    "updated_at",
    "deleted_at",
}
BLOCK_KEYS = {
    "id",
    "user_id",
    "note_id",
    "type",
    "content",
    "metadata",
    "order",
    "created_at",
    "updated_at",
    "deleted_at",
}
TASK_KEYS = {
    "id",
    "user_id",
    "note_id",
    "title",
    "description",
    "is_completed",
    "due_date",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
}
ROLE_KEYS = {
    "id",
    "user_id",
    "resource_id",
    "resource_type",
    "role",
    "created_at",
    "updated_at",
    "deleted_at",
}

Json = dict[str, Any]


def instant(value: str) -> datetime:
    """A timestamp from the wire (RFC 3339, ``Z`` or an offset), timezone-aware."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, value
    return parsed


def unknown_id() -> str:
    return str(uuid.uuid4())


def error_of(r: httpx.Response, status: int) -> str:
    """Asserts the status and the ``{"error": "<message>"}`` body; returns the message."""
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert isinstance(body, dict), body
    message = body.get("error")
    assert isinstance(message, str), body
    assert message
    return message


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json() if status != 204 else None


def ids(items: list[Json]) -> set[str]:
    return {str(i["id"]) for i in items}


async def notebook(client: httpx.AsyncClient, who: Account, name: str = "Notebook") -> Json:
    body: Json = ok(
        await client.post(f"{API}/notebooks", json={"name": name}, headers=who.headers), 201
    )
    return body


async def note(
    client: httpx.AsyncClient, who: Account, notebook_id: str, title: str = "Note"
) -> Json:
    r = await client.post(
        f"{API}/notes", json={"notebook_id": notebook_id, "title": title}, headers=who.headers
    )
    body: Json = ok(r, 201)
    return body


async def notebook_with_note(client: httpx.AsyncClient, who: Account) -> tuple[Json, Json]:
    nb = await notebook(client, who)
    return nb, await note(client, who, nb["id"])


async def block(
    client: httpx.AsyncClient,
    who: Account,
    note_id: str,
    text: str = "text",
    *,
    type: str = "text",
    **extra: Any,
) -> Json:
    payload: Json = {"note_id": note_id, "type": type, "content": {"text": text}, **extra}
    body: Json = ok(await client.post(f"{API}/blocks", json=payload, headers=who.headers), 201)
    return body


async def task(client: httpx.AsyncClient, who: Account, **fields: Any) -> Json:
    body: Json = ok(await client.post(f"{API}/tasks", json=fields, headers=who.headers), 201)
    return body


async def get(client: httpx.AsyncClient, who: Account, path: str, **params: Any) -> Any:
    return ok(await client.get(f"{API}{path}", params=params, headers=who.headers))


async def share(
    client: httpx.AsyncClient, owner: Account, notebook_id: str, to: Account, role: str
) -> Json:
    r = await client.put(
        f"{API}/notebooks/{notebook_id}/shares",
        json={"email": to.email, "role": role},
        headers=owner.headers,
    )
    body: Json = ok(r)
    return body


async def note_blocks(client: httpx.AsyncClient, who: Account, note_id: str) -> list[Json]:
    body: list[Json] = (await get(client, who, f"/notes/{note_id}"))["blocks"]
    return body


async def task_ids(client: httpx.AsyncClient, who: Account, **params: Any) -> set[str]:
    return ids(await get(client, who, "/tasks", **params))
