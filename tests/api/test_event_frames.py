"""One broker message of every event type, pinned: topic, key, audience and the exact bytes.

The messages are taken from the outbox rows as the writing transaction builds them (before
any database stores them), so the pin is the same on SQLite and PostgreSQL. Ids and
timestamps are replaced by placeholders numbered in order of first appearance; everything
else (key order, spacing, values) must match byte for byte,
except the key order inside content and metadata, which JSONB does not keep. To refresh
after a deliberate change of the wire format, run with ``OWLISTIC_REPIN_FRAMES=1``
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from owlistic.auth import revocation
from owlistic.events import handoff
from owlistic.events.broker.base import HEADER_AUDIENCE
from owlistic.events.envelope import OutboxRow, to_message
from owlistic.realtime.catalog import envelope_models
from tests.api.helpers import API, block, note, notebook, ok, task
from tests.conftest import register

PINNED = Path(__file__).with_name("event_frames.json")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_EMAIL = re.compile(r"u[0-9a-f]{12}@example\.com")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)")


@contextmanager
def outbox_rows() -> Iterator[list[OutboxRow]]:
    """The outbox rows every commit inserts, as the writing transaction built them."""
    found: list[OutboxRow] = []
    original = handoff.inserted

    def collect(session: Session, rows: Sequence[OutboxRow]) -> None:
        # Session revocations are internal (no audience: no client ever receives one).
        found.extend(r for r in rows if r.entity != revocation.ENTITY)
        original(session, rows)

    handoff.inserted = collect
    try:
        yield found
    finally:
        handoff.inserted = original


class Placeholders:
    def __init__(self, named: dict[str, str]) -> None:
        self._ids: dict[str, str] = dict(named)

    def _id(self, match: re.Match[str]) -> str:
        value = match.group(0)
        return self._ids.setdefault(value, f"<id{len(self._ids)}>")

    def __call__(self, text: str) -> str:
        return _UUID.sub(self._id, _TIME.sub("<time>", _EMAIL.sub("<email>", text)))


def done(r: httpx.Response) -> None:
    assert r.is_success, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"


async def _scenario(client: httpx.AsyncClient) -> dict[str, str]:
    """Causes every event type once (and the variants of ``note.updated``)."""
    alice = await register(client)
    bob = await register(client)
    h = alice.headers
    nb = await notebook(client, alice)
    done(await client.put(f"{API}/notebooks/{nb['id']}", json={"name": "Renamed"}, headers=h))
    n = await note(client, alice, nb["id"])
    done(await client.put(f"{API}/notes/{n['id']}", json={"title": "Retitled"}, headers=h))
    b = await block(client, alice, n["id"], "hello", metadata={"k": 1})
    done(await client.put(f"{API}/blocks/{b['id']}", json={"content": {"text": "hi"}}, headers=h))
    t = await task(client, alice, title="Milk", note_id=n["id"])
    done(await client.put(f"{API}/tasks/{t['id']}", json={"is_completed": True}, headers=h))
    done(await client.delete(f"{API}/tasks/{t['id']}", headers=h))
    done(await client.delete(f"{API}/blocks/{b['id']}", headers=h))
    role = {"user_id": bob.id, "resource_id": n["id"], "resource_type": "note", "role": "viewer"}
    done(await client.post(f"{API}/roles", json=role, headers=h))
    share = {"email": bob.email, "role": "editor"}
    done(await client.put(f"{API}/notebooks/{nb['id']}/shares", json=share, headers=h))
    other = await notebook(client, alice, "Other")
    moved = {"notebook_id": other["id"]}
    done(await client.put(f"{API}/notes/{n['id']}", json=moved, headers=h))
    done(await client.delete(f"{API}/notes/{n['id']}", headers=h))
    done(await client.post(f"{API}/trash/restore/note/{n['id']}", headers=h))
    done(await client.delete(f"{API}/notebooks/{other['id']}", headers=h))
    done(await client.post(f"{API}/trash/restore/notebook/{other['id']}", headers=h))
    done(await client.delete(f"{API}/notes/{n['id']}", headers=h))
    done(await client.delete(f"{API}/trash/note/{n['id']}", headers=h))
    done(await client.delete(f"{API}/notebooks/{other['id']}", headers=h))
    done(await client.delete(f"{API}/trash/notebook/{other['id']}", headers=h))
    done(await client.delete(f"{API}/trash", headers=h))
    with_file = await note(client, alice, nb["id"])
    upload = await client.post(
        f"{API}/attachments",
        data={"note_id": with_file["id"]},
        files={"file": ("a.txt", b"attached", "text/plain")},
        headers=h,
    )
    done(upload)
    done(await client.delete(f"{API}/attachments/{upload.json()['id']}", headers=h))
    profile = {"display_name": "Alice"}
    done(await client.put(f"{API}/users/{alice.id}", json=profile, headers=h))
    done(await client.delete(f"{API}/users/{alice.id}", headers=h))
    return {alice.id: "<alice>", bob.id: "<bob>"}


def _stored_json_sorted(value: str) -> str:
    """The envelope's own key order is kept; dicts that were read back from a JSON column
    (content, metadata) get their keys sorted, as PostgreSQL's JSONB reorders them."""
    body = json.loads(value)
    assert json.dumps(body, separators=(",", ":")) == value  # compact, as sent
    payload = body["payload"]
    for key in ("content", "metadata"):
        if isinstance(payload.get(key), dict):
            payload[key] = dict(sorted(payload[key].items()))
    return json.dumps(body, separators=(",", ":"))


def _frame(row: OutboxRow, placeholders: Placeholders) -> dict[str, Any]:
    message = to_message(row, "owlistic.")
    headers = dict(message.headers)
    return {
        "topic": message.topic,
        "key": placeholders(message.key),
        "audience": sorted(placeholders(u) for u in json.loads(headers[HEADER_AUDIENCE])),
        "value": placeholders(_stored_json_sorted(message.value.decode())),
    }


async def test_every_event_type_renders_the_pinned_frame(client: httpx.AsyncClient) -> None:
    with outbox_rows() as rows:
        named = await _scenario(client)
    placeholders = Placeholders(named)
    frames = [_frame(r, placeholders) for r in rows]
    if os.environ.get("OWLISTIC_REPIN_FRAMES"):
        PINNED.write_text(json.dumps(frames, indent=1) + "\n")
    pinned = json.loads(PINNED.read_text())
    assert [f["value"] for f in frames] == [f["value"] for f in pinned]
    assert frames == pinned
    assert {r.event for r in rows} == EVERY_EVENT


EVERY_EVENT = {
    f"{entity}.{verb}"
    for entity, verbs in {
        "user": ("created", "updated", "deleted"),
        "notebook": ("created", "updated", "deleted", "restored", "permanent_deleted"),
        "note": ("created", "updated", "deleted", "restored", "permanent_deleted"),
        "block": ("created", "updated", "deleted"),
        "task": ("created", "updated", "deleted"),
        "attachment": ("created", "deleted"),
    }.items()
    for verb in verbs
} | {"trash.emptied"}


async def test_every_frame_matches_its_published_schema(client: httpx.AsyncClient) -> None:
    """The schemas in /openapi.json (and so the web app's event types) describe exactly
    what is sent: every frame validates, with no key the schema does not name."""
    with outbox_rows() as rows:
        await _scenario(client)
    models = envelope_models()
    for row in rows:
        value = json.loads(to_message(row, "owlistic.").value)
        model = models[value["event"]]
        parsed = model.model_validate(value)
        assert parsed.model_dump() == value, value["event"]
    published = ok(await client.get("/openapi.json"))["components"]["schemas"]
    assert set(published["ServerEvent"]["discriminator"]["mapping"]) == set(models)
