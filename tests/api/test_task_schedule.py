"""Due times with zones, recurrence (across DST), the due views and bad schedule input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api.helpers import API, block, error_of, instant, note_blocks, notebook_with_note, ok
from tests.api.helpers import task as create_task
from tests.conftest import Account, register


def soon(minutes: int = 60) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


async def put(
    client: httpx.AsyncClient, who: Account, task_id: str, **body: object
) -> dict[str, Any]:
    r = await client.put(f"{API}/tasks/{task_id}", json=body, headers=who.headers)
    return ok(r)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("zone", "first", "utc_times"),
    [
        # Berlin leaves winter time on 2027-03-28: 08:00 is 07:00Z, then 06:00Z.
        (
            "Europe/Berlin",
            "2027-03-22T08:00",
            ["2027-03-22T07:00:00", "2027-03-29T06:00:00", "2027-04-05T06:00:00"],
        ),
        # New York leaves summer time on 2027-11-07: 08:00 is 12:00Z, then 13:00Z.
        (
            "America/New_York",
            "2027-11-01T08:00",
            ["2027-11-01T12:00:00", "2027-11-08T13:00:00", "2027-11-15T13:00:00"],
        ),
    ],
)
async def test_weekly_task_keeps_its_wall_time_across_dst(
    client: httpx.AsyncClient, owner: Account, zone: str, first: str, utc_times: list[str]
) -> None:
    t = await create_task(
        client,
        owner,
        title="water the plants",
        due_at=first,
        time_zone=zone,
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=MO",
        remind_before_minutes=10,
    )
    assert t["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    seen = []
    for _ in utc_times:
        seen.append(instant(t["due_at"]).astimezone(UTC).replace(tzinfo=None).isoformat())
        assert t["due_at"][11:16] == "08:00", "local wall time kept"
        assert instant(t["remind_at"]) == instant(t["due_at"]) - timedelta(minutes=10)
        t = await put(client, owner, t["id"], is_completed=True)
        assert t["is_completed"] is False, "a repeating task reopens at its next occurrence"
    assert seen == utc_times
    done = ok(await client.get(f"{API}/tasks/{t['id']}/completions", headers=owner.headers))
    assert [instant(c["occurrence_at"]) for c in done] == [
        datetime.fromisoformat(u).replace(tzinfo=UTC) for u in utc_times
    ]
    assert not any(c["skipped"] for c in done)


async def test_ticking_the_checklist_item_moves_it_to_the_next_occurrence(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], type="task", content={"text": "stand-up"})
    tid = b["metadata"]["task_id"]
    t = await put(
        client,
        owner,
        tid,
        due_at="2027-01-04T09:30",
        time_zone="Europe/Paris",
        recurrence="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    )
    ok(
        await client.put(
            f"{API}/blocks/{b['id']}",
            json={"metadata": {**b["metadata"], "is_completed": True}},
            headers=owner.headers,
        )
    )
    after = ok(await client.get(f"{API}/tasks/{tid}", headers=owner.headers))
    assert after["is_completed"] is False
    assert after["due_at"].startswith("2027-01-06T09:30")  # Wednesday
    assert instant(after["due_at"]) > instant(t["due_at"])
    [item] = [x for x in await note_blocks(client, owner, n["id"]) if x["id"] == b["id"]]
    assert item["metadata"]["is_completed"] is False, "the checklist item is unticked again"
    done = ok(await client.get(f"{API}/tasks/{tid}/completions", headers=owner.headers))
    assert [c["occurrence_at"][:10] for c in done] == ["2027-01-04"]


async def test_a_checklist_item_carries_only_the_schedule_its_task_has(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """The original client's blocks keep their metadata: no schedule keys until the task has
    a schedule, only those with a value then, and one explicit "no due date" once cleared."""
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], type="task", content={"text": "plants"})
    tid = b["metadata"]["task_id"]

    async def item_meta() -> dict[str, Any]:
        [item] = [x for x in await note_blocks(client, owner, n["id"]) if x["id"] == b["id"]]
        meta: dict[str, Any] = item["metadata"]
        return {k: v for k, v in meta.items() if not k.startswith("_") and k != "block_id"}

    assert await item_meta() == {"task_id": tid}
    await put(client, owner, tid, title="plants", is_completed=True)
    assert await item_meta() == {"is_completed": True, "task_id": tid}
    await put(client, owner, tid, is_completed=False)
    await put(
        client,
        owner,
        tid,
        due_at="2027-03-22T08:00",
        time_zone="Europe/Berlin",
        recurrence="FREQ=WEEKLY;BYDAY=MO",
    )
    assert await item_meta() == {
        "is_completed": False,
        "task_id": tid,
        "due_date": "2027-03-22T08:00:00+01:00",
        "time_zone": "Europe/Berlin",
        "recurrence": "FREQ=WEEKLY;BYDAY=MO",
    }
    await put(client, owner, tid, remind_before_minutes=10)
    assert (await item_meta())["remind_before_minutes"] == 10
    # The original client echoes the metadata it read: the schedule stays as it is.
    echoed = ok(
        await client.put(
            f"{API}/blocks/{b['id']}",
            json={"content": {"text": "water the plants"}, "metadata": await item_meta()},
            headers=owner.headers,
        )
    )
    assert "remind_at" not in echoed["metadata"]
    t = ok(await client.get(f"{API}/tasks/{tid}", headers=owner.headers))
    assert (t["title"], t["due_date"], t["recurrence"], t["remind_before_minutes"]) == (
        "water the plants",
        "2027-03-22T08:00:00+01:00",
        "FREQ=WEEKLY;BYDAY=MO",
        10,
    )
    # Dropping a key in the block drops that part of the schedule (as null did).
    meta = {k: v for k, v in (await item_meta()).items() if k != "recurrence"}
    ok(await client.put(f"{API}/blocks/{b['id']}", json={"metadata": meta}, headers=owner.headers))
    t = ok(await client.get(f"{API}/tasks/{tid}", headers=owner.headers))
    assert (t["recurrence"], t["remind_before_minutes"]) == (None, 10)
    # Clearing the schedule over the task leaves one statement: no due date.
    await put(client, owner, tid, due_at=None)
    assert await item_meta() == {"is_completed": False, "task_id": tid, "due_date": ""}
    t = ok(await client.get(f"{API}/tasks/{tid}", headers=owner.headers))
    assert (t["due_date"], t["remind_before_minutes"], t["recurrence"]) == ("", None, None)


async def test_skip_and_end_series(client: httpx.AsyncClient, owner: Account) -> None:
    t = await create_task(
        client, owner, title="pay rent", due_at="2027-01-31", recurrence="FREQ=MONTHLY;COUNT=3"
    )
    assert (t["due_all_day"], t["due_date"]) == (True, "2027-01-31")
    url = f"{API}/tasks/{t['id']}"
    skipped = ok(await client.post(f"{url}/skip", headers=owner.headers))
    # RFC 5545: a monthly rule on the 31st skips months without one.
    assert skipped["due_date"] == "2027-03-31"
    ended = ok(await client.post(f"{url}/end-series", headers=owner.headers))
    assert (ended["recurrence"], ended["due_date"]) == (None, "2027-03-31")
    done = await put(client, owner, t["id"], is_completed=True)
    assert done["is_completed"] is True, "a one-off task completes for good"
    assert "recurring" in error_of(await client.post(f"{url}/skip", headers=owner.headers), 409)
    history = ok(await client.get(f"{url}/completions", headers=owner.headers))
    assert [(c["occurrence_at"][:10], c["skipped"]) for c in history] == [("2027-01-31", True)]


async def test_the_last_occurrence_completes_the_series(
    client: httpx.AsyncClient, owner: Account
) -> None:
    t = await create_task(client, owner, due_at="2027-05-01", recurrence="FREQ=DAILY;COUNT=2")
    t = await put(client, owner, t["id"], is_completed=True)
    assert (t["is_completed"], t["due_date"]) == (False, "2027-05-02")
    t = await put(client, owner, t["id"], is_completed=True)
    assert (t["is_completed"], t["due_date"]) == (True, "2027-05-02")


async def test_due_views_in_the_users_time_zone(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    zone = "Pacific/Auckland"
    ok(await client.put(f"{API}/profile", json={"time_zone": zone}, headers=owner.headers))
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(zone))
    end_of_today = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    later_today = now + (end_of_today - local) / 2
    late = await create_task(
        client, owner, title="late", due_at=(now - timedelta(hours=2)).isoformat()
    )
    await create_task(
        client, owner, title="next week", due_at=(now + timedelta(days=7)).isoformat()
    )
    await create_task(client, owner, title="tonight", due_at=later_today.isoformat())
    await create_task(client, owner, title="someday")
    old = await create_task(client, owner, title="old day", due_at="2020-01-01")
    assert old["time_zone"] == zone, "new tasks take the profile's zone"
    assert old["due_at"] == "2020-01-01T00:00:00+13:00"

    async def view(name: str, **params: str) -> list[str]:
        r = await client.get(f"{API}/tasks", params={"due": name, **params}, headers=owner.headers)
        return [x["title"] for x in ok(r)]

    assert await view("overdue") == ["old day", "late"], "sorted by due time"
    assert await view("today") == ["tonight"]
    assert await view("upcoming") == ["next week"]
    assert await view("none") == ["someday"]
    await put(client, owner, late["id"], is_completed=True)
    assert await view("overdue") == ["old day"]
    assert await view("none", tz="UTC") == ["someday"], "a zone given by the caller is accepted"
    error_of(await client.get(f"{API}/tasks", params={"due": "soon"}, headers=owner.headers), 422)
    error_of(
        await client.get(
            f"{API}/tasks", params={"due": "today", "tz": "Mars/Olympus"}, headers=owner.headers
        ),
        422,
    )


@pytest.mark.parametrize(
    ("body", "words", "status"),
    [
        ({"due_at": "2027-01-01", "recurrence": "FREQ=SOMETIMES"}, "recurrence", 422),
        ({"due_at": "2027-01-01", "recurrence": "FREQ=MINUTELY"}, "FREQ", 422),
        ({"due_at": "2027-01-01", "recurrence": "FREQ=WEEKLY;BYDAY=XX"}, "recurrence", 422),
        (
            {"due_at": "2027-01-01", "recurrence": "DTSTART:20270101\nRRULE:FREQ=DAILY"},
            "recurrence",
            422,
        ),
        ({"recurrence": "FREQ=DAILY"}, "due", 409),
        ({"due_at": "2027-01-01", "time_zone": "Europe/Atlantis"}, "time zone", 422),
        ({"due_at": "2027-01-01", "time_zone": "../../etc/passwd"}, "time zone", 422),
        ({"due_at": "1969-12-31"}, "1970", 422),
        ({"due_at": "10000-01-01"}, "due_at", 422),
        ({"due_at": "9999-12-31T23:00:00-05:00"}, "9999", 422),
        ({"due_at": "9999-12-31T23:30", "time_zone": "Pacific/Honolulu"}, "9999", 422),
        ({"due_date": "1900-01-01T00:00:00Z"}, "1970", 422),
        ({"remind_at": "2001-01-01T00:00:00Z"}, "past", 409),
        ({"remind_at": "2099-01-01T00:00:00"}, "offset", 422),
        ({"due_at": "2001-01-01T00:00:00Z", "remind_before_minutes": 5}, "past", 409),
        ({"remind_before_minutes": 5}, "due", 409),
        ({"due_at": "2099-01-01", "remind_before_minutes": -1}, "remind_before_minutes", 422),
        ({"due_at": "2099-01-01", "remind_before_minutes": 10**6}, "remind_before_minutes", 422),
    ],
)
async def test_bad_schedules_are_refused(
    client: httpx.AsyncClient,
    owner: Account,
    body: dict[str, object],
    words: str,
    status: int,
) -> None:
    """422: not a schedule; 409: a schedule that cannot work with the task's (a reminder in
    the past, repetition or a relative reminder without a due date)."""
    r = await client.post(f"{API}/tasks", json={"title": "x", **body}, headers=owner.headers)
    assert words in error_of(r, status)
    plain = await create_task(client, owner, title="y")
    r = await client.put(f"{API}/tasks/{plain['id']}", json=body, headers=owner.headers)
    assert words in error_of(r, status)


async def test_snooze_needs_a_future_time(client: httpx.AsyncClient, owner: Account) -> None:
    t = await create_task(client, owner, title="z", remind_at=soon().isoformat())
    url = f"{API}/tasks/{t['id']}/snooze"
    for body in (
        {},
        {"minutes": 0},
        {"minutes": 10, "until": soon().isoformat()},
        {"minutes": 10, "until": None},
    ):
        error_of(await client.post(url, json=body, headers=owner.headers), 422)
    past = {"until": "2001-01-01T00:00:00Z"}
    assert "past" in error_of(await client.post(url, json=past, headers=owner.headers), 409)
    ok(await client.post(url, json={"minutes": 10}, headers=owner.headers))


async def test_profile_time_zone_is_checked(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    r = await client.put(
        f"{API}/profile", json={"time_zone": "Nowhere/Land"}, headers=owner.headers
    )
    assert "time zone" in error_of(r, 422)
    me = ok(
        await client.put(f"{API}/profile", json={"time_zone": "Asia/Tokyo"}, headers=owner.headers)
    )
    assert me["time_zone"] == "Asia/Tokyo"
