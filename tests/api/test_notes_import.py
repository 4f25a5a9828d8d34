"""POST /import/notes: many notes with their blocks in one request (the Markdown import)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from owlistic.models import Reminder
from owlistic.runtime import Runtime
from tests.api.helpers import API, error_of, get, notebook, ok, share, unknown_id
from tests.api.test_query_counts import statements
from tests.conftest import Account, LiveServer, register
from tests.realtime.wsclient import next_event, ws_connect

Json = dict[str, Any]


def text_block(text: str, type: str = "paragraph", **metadata: Any) -> Json:
    return {"type": type, "content": {"text": text}, "metadata": {"spans": [], **metadata}}


async def post_import(client: httpx.AsyncClient, who: Account, body: Json) -> httpx.Response:
    return await client.post(f"{API}/import/notes", json=body, headers=who.headers)


async def test_import_creates_notes_blocks_and_tasks_in_one_request(
    server: LiveServer, client: httpx.AsyncClient, owner: Account
) -> None:
    nb = await notebook(client, owner, "Imported")
    body = {
        "notebook_id": nb["id"],
        "notes": [
            {
                "title": "Groceries",
                "tags": ["#Home", "home", "Shopping"],
                "created_at": "2024-03-01T08:30:00Z",
                "updated_at": "2024-03-02T09:00:00+01:00",
                "blocks": [
                    text_block("Market", "header", level=1),
                    text_block("zucchinimarmalade", "listItem", listType="unordered"),
                    text_block("buy eggs", "task", is_completed=True),
                ],
            },
            {"title": "Empty file"},
        ],
    }
    async with ws_connect(server, owner) as ws:
        r = await post_import(client, owner, body)
        groceries, empty = ok(r, 201)["notes"]
        # Each note is announced with its blocks, as by POST /notes (events of different
        # notes may interleave on Kafka).
        wanted = {"note.created", "task.created"}
        events = [(await next_event(ws, match=lambda m: m["event"] in wanted)) for _ in range(3)]
        announced = {
            e["payload"]["note_id"]: e["payload"]["blocks"]
            for e in events
            if e["event"] == "note.created"
        }
        assert announced == {
            groceries["id"]: [b["id"] for b in groceries["blocks"]],
            empty["id"]: [b["id"] for b in empty["blocks"]],
        }
        [task_event] = [e for e in events if e["event"] == "task.created"]
        assert task_event["payload"]["title"] == "buy eggs"
    assert (groceries["title"], groceries["tags"]) == ("Groceries", ["home", "shopping"])
    assert groceries["created_at"] == "2024-03-01T08:30:00Z"
    assert groceries["updated_at"] == "2024-03-02T08:00:00Z"
    assert groceries["role"] == "owner"
    blocks = (await get(client, owner, f"/notes/{groceries['id']}"))["blocks"]
    assert [(b["type"], b["content"]["text"]) for b in blocks] == [
        ("header", "Market"),
        ("listItem", "zucchinimarmalade"),
        ("task", "buy eggs"),
    ]
    assert blocks[0]["metadata"]["level"] == 1
    assert [b["order"] for b in blocks] == sorted(b["order"] for b in blocks)
    # A task block is a task, as when written one by one.
    tasks = await get(client, owner, "/tasks", note_id=groceries["id"])
    assert [(t["title"], t["is_completed"]) for t in tasks] == [("buy eggs", True)]
    # Indexed in the same transaction.
    found = await get(client, owner, "/search", q="zucchinimarmalade")
    assert [hit["note_id"] for hit in found["results"]] == [groceries["id"]]
    # A note without blocks starts with the one empty block, like POST /notes.
    [initial] = empty["blocks"]
    assert (initial["type"], initial["content"]) == ("text", {"text": ""})


async def test_import_costs_a_fixed_number_of_statements_however_many_notes(
    client: httpx.AsyncClient, runtime: Runtime, owner: Account
) -> None:
    nb = await notebook(client, owner, "Vault")
    counts = []
    for size in (10, 40):
        notes = [
            {
                "title": f"Vault{size}x{i}",
                "tags": ["vault"],
                "blocks": [
                    text_block(f"word{size}x{i}"),
                    text_block(f"todo{size}x{i}", "task", is_completed=i % 2 == 0),
                    text_block("", "paragraph"),
                ],
            }
            for i in range(size)
        ]
        with statements(runtime) as seen:
            created = ok(
                await post_import(client, owner, {"notebook_id": nb["id"], "notes": notes}), 201
            )
        counts.append(len(seen))
        assert len(created["notes"]) == size
        # Every note, block and task indexed, and every to-do linked to its task.
        last = size - 1
        for word in (f"Vault{size}x{last}", f"word{size}x{last}", f"todo{size}x{last}"):
            found = await get(client, owner, "/search", q=word)
            assert {hit["note_id"] for hit in found["results"]} == {created["notes"][-1]["id"]}
        tasks = {
            t["id"]: t
            for t in await get(client, owner, "/tasks", note_id=created["notes"][0]["id"])
        }
        [todo] = [b for b in created["notes"][0]["blocks"] if b["type"] == "task"]
        assert tasks[todo["metadata"]["task_id"]]["title"] == f"todo{size}x0"
    assert counts[0] == counts[1], counts


async def test_import_into_a_shared_notebook_reaches_its_readers_and_dates_todos(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    owner: Account,
    peer: Account,
) -> None:
    nb = await notebook(client, owner, "Team")
    await share(client, owner, nb["id"], peer, "editor")
    dated = text_block(
        "send the report",
        "task",
        is_completed=False,
        due_date="2031-05-02T09:00:00Z",
        remind_before_minutes=30,
    )
    body = {"notebook_id": nb["id"], "notes": [{"title": "Plan", "blocks": [dated]}]}
    async with ws_connect(server, owner) as ws:  # the notebook's owner hears the peer's import
        [imported] = ok(await post_import(client, peer, body), 201)["notes"]
        wanted = {"note.created", "task.created"}
        events = [(await next_event(ws, match=lambda m: m["event"] in wanted)) for _ in range(2)]
    assert {e["event"] for e in events} == wanted
    [task] = await get(client, peer, "/tasks", note_id=imported["id"])
    assert (task["due_date"], task["remind_before_minutes"]) == ("2031-05-02T09:00:00+00:00", 30)
    assert imported["blocks"][0]["metadata"]["task_id"] == task["id"]
    async with runtime.db.session(readonly=True) as session:
        fire_at = (
            await session.scalars(
                select(Reminder.fire_at).where(Reminder.task_id == uuid.UUID(task["id"]))
            )
        ).all()
    assert [t.isoformat() for t in fire_at] == ["2031-05-02T08:30:00+00:00"]


async def test_import_needs_write_access_to_the_notebook(
    client: httpx.AsyncClient, owner: Account, peer: Account
) -> None:
    nb = await notebook(client, owner, "Shared read-only")
    await share(client, owner, nb["id"], peer, "viewer")
    body = {"notebook_id": nb["id"], "notes": [{"title": "x"}]}
    assert "add notes to" in error_of(await post_import(client, peer, body), 403)
    stranger = await register(client)
    error_of(await post_import(client, stranger, body), 404)
    error_of(await post_import(client, owner, {**body, "notebook_id": unknown_id()}), 404)
    assert (await get(client, owner, "/notes", notebook_id=nb["id"])) == []


async def test_import_refuses_bad_input_with_json_errors(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb = await notebook(client, owner)
    bad_bodies: list[Json] = [
        {"notebook_id": nb["id"], "notes": []},
        {"notes": [{"title": "no notebook"}]},
        {"notebook_id": "not-a-uuid", "notes": [{"title": "x"}]},
        {"notebook_id": nb["id"], "notes": [{"title": "x", "created_at": "2024-03-01T08:30"}]},
        {
            "notebook_id": nb["id"],
            "notes": [{"title": "x", "updated_at": "9999-12-31T23:00-05:00"}],
        },
        {"notebook_id": nb["id"], "notes": [{"title": "x" * 1001}]},
        {"notebook_id": nb["id"], "notes": [{"blocks": [{"type": ""}]}]},
        {"notebook_id": nb["id"], "notes": [{"blocks": [{"type": "p", "content": 3}]}]},
        {"notebook_id": nb["id"], "notes": [{"title": "nul \u0000"}]},
        {
            "notebook_id": nb["id"],
            "notes": [
                {
                    "blocks": [
                        {
                            "type": "paragraph",
                            "content": {"text": "click"},
                            "metadata": {
                                "spans": [
                                    {"start": 0, "end": 4, "type": "link", "href": "javascript:x"}
                                ]
                            },
                        }
                    ]
                }
            ],
        },
    ]
    for body in bad_bodies:
        error_of(await post_import(client, owner, body), 422)
    r = await client.post(
        f"{API}/import/notes",
        content=b'{"notebook_id": ',
        headers={**owner.headers, "content-type": "application/json"},
    )
    error_of(r, 400)
    assert (await get(client, owner, "/notes", notebook_id=nb["id"])) == []


async def test_import_limits_are_413(client: httpx.AsyncClient, owner: Account) -> None:
    nb = await notebook(client, owner)
    too_many_notes = {"notebook_id": nb["id"], "notes": [{"title": str(i)} for i in range(101)]}
    assert "at most 100 notes" in error_of(await post_import(client, owner, too_many_notes), 413)
    too_many_blocks = {
        "notebook_id": nb["id"],
        "notes": [{"blocks": [{"type": "p"}] * 10_001}, {"blocks": [{"type": "p"}] * 10_000}],
    }
    assert "at most 20000 blocks" in error_of(
        await post_import(client, owner, too_many_blocks), 413
    )
    huge = {"notebook_id": nb["id"], "notes": [{"blocks": [text_block("x" * 9_000_000)]}]}
    assert "exceeds" in error_of(await post_import(client, owner, huge), 413)
    assert (await get(client, owner, "/notes", notebook_id=nb["id"])) == []
