"""A checklist item's due date, reminder and repetition live in its node's attributes and
are its task's schedule: set in the document they reach the task, set over REST they
reach the open document, and a repeating item ticked off comes back at its next date."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from pycrdt import XmlElement

from owlistic.collab.service import collab_of
from owlistic.models import Block
from owlistic.task import repository as task_repository
from owlistic.task import sync as task_sync
from tests.api.helpers import API, get, note_blocks, notebook_with_note, ok
from tests.api.helpers import task as create_task
from tests.collab.yclient import YClient, eventually, ydoc_client
from tests.conftest import Account, LiveServer

MONDAY = "2027-03-15T08:00:00+01:00"


def _node(editor: YClient, block_id: str) -> XmlElement:
    for child in editor.fragment.children:
        if isinstance(child, XmlElement) and child.attributes.get("blockId") == block_id:
            return child
    raise AssertionError(f"no node {block_id}")


def _index(editor: YClient, block_id: str) -> int:
    return [b for b, _, _ in editor.blocks()].index(block_id)


def _attrs(editor: YClient, block_id: str, *names: str) -> tuple[Any, ...]:
    attrs = _node(editor, block_id).attributes
    return tuple(attrs.get(name) for name in names)


async def _task_is(client: httpx.AsyncClient, who: Account, task_id: str, **wanted: Any) -> bool:
    body = await get(client, who, f"/tasks/{task_id}")
    return all(body[key] == value for key, value in wanted.items())


async def _weekly_item(
    client: httpx.AsyncClient, who: Account
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A note and its checklist item due every Monday at 08:00 in Berlin (MONDAY first)."""
    _, n = await notebook_with_note(client, who)
    t = await create_task(
        client,
        who,
        title="water the plants",
        note_id=n["id"],
        due_at="2027-03-15T08:00",
        time_zone="Europe/Berlin",
        recurrence="FREQ=WEEKLY;BYDAY=MO",
    )
    return n, t


async def test_a_due_date_set_in_the_document_is_the_tasks_schedule(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    t = await create_task(client, alice, title="water the plants", note_id=n["id"])
    async with ydoc_client(server, n["id"], alice) as editor:
        node = _node(editor, t["block_id"])
        with editor.doc.transaction():
            node.attributes["due"] = MONDAY
            node.attributes["timeZone"] = "Europe/Berlin"
            node.attributes["remindBefore"] = 10.0
            node.attributes["repeat"] = "FREQ=WEEKLY;BYDAY=MO"
        await eventually(
            lambda: _task_is(
                client,
                alice,
                t["id"],
                due_date=MONDAY,
                time_zone="Europe/Berlin",
                remind_before_minutes=10,
                remind_at="2027-03-15T06:50:00Z",
                recurrence="FREQ=WEEKLY;BYDAY=MO",
            )
        )
        # What cannot be a schedule is not taken (and does not break the document).
        with editor.doc.transaction():
            node.attributes["due"] = "next tuesday-ish"
            node.attributes["repeat"] = "FREQ=SECONDLY"
        editor.insert_text(_index(editor, t["block_id"]), 0, "Please ")
        await eventually(lambda: _task_is(client, alice, t["id"], title="Please water the plants"))
        assert await _task_is(
            client, alice, t["id"], due_date=MONDAY, recurrence="FREQ=WEEKLY;BYDAY=MO"
        )
        # A node without a due date at all says nothing: the task keeps its schedule.
        with editor.doc.transaction():
            for name in ("due", "timeZone", "remindBefore", "repeat"):
                del node.attributes[name]
        editor.insert_text(_index(editor, t["block_id"]), 0, "Oh, ")
        await eventually(
            lambda: _task_is(client, alice, t["id"], title="Oh, Please water the plants")
        )
        assert await _task_is(client, alice, t["id"], due_date=MONDAY, remind_before_minutes=10)
        # An empty due date clears it, with the reminder and repetition that need one.
        node.attributes["due"] = ""
        await eventually(
            lambda: _task_is(
                client, alice, t["id"], due_date="", remind_before_minutes=None, recurrence=None
            )
        )


async def test_a_schedule_set_over_rest_reaches_the_open_document(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    t = await create_task(client, alice, title="trip", note_id=n["id"])
    async with ydoc_client(server, n["id"], alice) as editor:
        ok(
            await client.put(
                f"{API}/tasks/{t['id']}",
                json={"due_at": "2027-06-01", "time_zone": "Asia/Tokyo"},
                headers=alice.headers,
            )
        )
        names = ("due", "timeZone", "remindBefore", "repeat")
        await editor.wait_until(
            lambda: (
                _attrs(editor, t["block_id"], *names) == ("2027-06-01", "Asia/Tokyo", None, None)
            )
        )
        ok(
            await client.put(
                f"{API}/tasks/{t['id']}",
                json={"due_at": "2027-06-01T09:30", "remind_before_minutes": 30},
                headers=alice.headers,
            )
        )
        await editor.wait_until(
            lambda: (
                _attrs(editor, t["block_id"], "due", "remindBefore")
                == ("2027-06-01T09:30:00+09:00", 30)
            )
        )
        [row] = [b for b in await note_blocks(client, alice, n["id"]) if b["id"] == t["block_id"]]
        assert row["metadata"]["due_date"] == "2027-06-01T09:30:00+09:00"
        assert row["metadata"]["remind_before_minutes"] == 30


async def test_an_edit_is_not_stored_over_a_rest_write_the_document_has_not_heard_of(
    server: LiveServer,
    client: httpx.AsyncClient,
    alice: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A REST write commits its rows and its update to the log together; its announcement
    to the open document comes after. An edit of the same item stored in between must
    not put back the schedule that write replaced (nor hand it to the task)."""
    _, n = await notebook_with_note(client, alice)
    t = await create_task(client, alice, title="trip", note_id=n["id"], due_at="2027-06-01")
    collab = collab_of(server.app)
    held: list[tuple[uuid.UUID, list[bytes]]] = []
    async with ydoc_client(server, n["id"], alice) as editor:
        announce = collab.stored
        # The announcement of the next write is held back (on its way, as from another
        # instance through a slow broker).
        monkeypatch.setattr(collab, "stored", lambda note, updates: held.append((note, updates)))
        ok(
            await client.put(
                f"{API}/tasks/{t['id']}",
                json={"due_at": "2027-07-01T10:00", "time_zone": "Europe/Berlin"},
                headers=alice.headers,
            )
        )
        assert held
        assert _attrs(editor, t["block_id"], "due") == ("2027-06-01",)
        editor.insert_text(_index(editor, t["block_id"]), 0, "Long ")
        await eventually(lambda: _task_is(client, alice, t["id"], title="Long trip"))
        later = "2027-07-01T10:00:00+02:00"
        assert await _task_is(client, alice, t["id"], due_date=later, time_zone="Europe/Berlin")
        [row] = [b for b in await note_blocks(client, alice, n["id"]) if b["id"] == t["block_id"]]
        assert row["metadata"]["due_date"] == later
        # The document was brought up to the log before it was stored: the editor has it
        # already, and the late announcement changes nothing.
        await editor.wait_until(lambda: _attrs(editor, t["block_id"], "due") == (later,))
        monkeypatch.setattr(collab, "stored", announce)
        for note_id, updates in held:
            collab.stored(note_id, updates)
        await eventually(
            lambda: _task_is(client, alice, t["id"], title="Long trip", due_date=later)
        )


async def test_a_repeating_item_ticked_off_in_the_note_comes_back_at_its_next_date(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    n, t = await _weekly_item(client, alice)
    async with ydoc_client(server, n["id"], alice) as editor:
        assert _attrs(editor, t["block_id"], "due", "repeat") == (MONDAY, "FREQ=WEEKLY;BYDAY=MO")
        _node(editor, t["block_id"]).attributes["checked"] = True
        await editor.wait_until(
            lambda: (
                _attrs(editor, t["block_id"], "checked", "due")
                == (False, "2027-03-22T08:00:00+01:00")
            )
        )
        # Typing in the item afterwards is not another completion.
        editor.insert_text(_index(editor, t["block_id"]), 0, "Do: ")
        await eventually(lambda: _task_is(client, alice, t["id"], title="Do: water the plants"))
    done = await get(client, alice, f"/tasks/{t['id']}/completions")
    assert [c["occurrence_at"] for c in done] == ["2027-03-15T07:00:00Z"]
    assert await _task_is(
        client, alice, t["id"], is_completed=False, due_date="2027-03-22T08:00:00+01:00"
    )


async def test_tasks_dated_before_blocks_carried_schedules_get_their_chip(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    n, t = await _weekly_item(client, alice)
    # The block as it was written before it carried its task's schedule.
    db = server.app.state.runtime.db
    async with db.session() as session:
        block = await session.get(Block, uuid.UUID(t["block_id"]))
        assert block is not None
        block.meta = {"is_completed": False, "task_id": t["id"]}
    async with ydoc_client(server, n["id"], alice) as editor:
        assert _attrs(editor, t["block_id"], "due", "repeat") == (None, None)
        assert await task_sync.mirror_old_schedules(db) >= 1
        await editor.wait_until(
            lambda: (
                _attrs(editor, t["block_id"], "due", "timeZone", "repeat")
                == (MONDAY, "Europe/Berlin", "FREQ=WEEKLY;BYDAY=MO")
            )
        )
    [row] = [b for b in await note_blocks(client, alice, n["id"]) if b["id"] == t["block_id"]]
    assert (row["metadata"]["due_date"], row["metadata"]["recurrence"]) == (
        MONDAY,
        "FREQ=WEEKLY;BYDAY=MO",
    )
    assert await _task_is(client, alice, t["id"], due_date=MONDAY, is_completed=False)
    # Mirrored once: a second pass finds nothing of this note left to do.
    async with db.session(readonly=True) as session:
        left = await task_repository.unmirrored_schedules(session, 1000, skip_locked=False)
    assert t["id"] not in {str(task.id) for task, _ in left}
