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
    error_of(await client.post(f"{url}/skip", headers=owner.headers), 422)
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
    ("body", "words"),
    [
        ({"due_at": "2027-01-01", "recurrence": "FREQ=SOMETIMES"}, "recurrence"),
        ({"due_at": "2027-01-01", "recurrence": "FREQ=MINUTELY"}, "FREQ"),
        ({"due_at": "2027-01-01", "recurrence": "FREQ=WEEKLY;BYDAY=XX"}, "recurrence"),
        (
            {"due_at": "2027-01-01", "recurrence": "DTSTART:20270101\nRRULE:FREQ=DAILY"},
            "recurrence",
        ),
        ({"recurrence": "FREQ=DAILY"}, "due"),
        ({"due_at": "2027-01-01", "time_zone": "Europe/Atlantis"}, "time zone"),
        ({"due_at": "2027-01-01", "time_zone": "../../etc/passwd"}, "time zone"),
        ({"due_at": "1969-12-31"}, "1970"),
        ({"due_at": "10000-01-01"}, "due_at"),
        ({"due_date": "1900-01-01T00:00:00Z"}, "1970"),
        ({"remind_at": "2001-01-01T00:00:00Z"}, "past"),
        ({"remind_at": "2099-01-01T00:00:00"}, "offset"),
        ({"due_at": "2001-01-01T00:00:00Z", "remind_before_minutes": 5}, "past"),
        ({"remind_before_minutes": 5}, "due"),
        ({"due_at": "2099-01-01", "remind_before_minutes": -1}, "remind_before_minutes"),
        ({"due_at": "2099-01-01", "remind_before_minutes": 10**6}, "remind_before_minutes"),
    ],
)
async def test_bad_schedules_are_refused(
    client: httpx.AsyncClient, owner: Account, body: dict[str, object], words: str
) -> None:
    r = await client.post(f"{API}/tasks", json={"title": "x", **body}, headers=owner.headers)
    assert words in error_of(r, 422)
    plain = await create_task(client, owner, title="y")
    r = await client.put(f"{API}/tasks/{plain['id']}", json=body, headers=owner.headers)
    assert words in error_of(r, 422)


async def test_snooze_needs_a_future_time(client: httpx.AsyncClient, owner: Account) -> None:
    t = await create_task(client, owner, title="z", remind_at=soon().isoformat())
    url = f"{API}/tasks/{t['id']}/snooze"
    for body in (
        {},
        {"minutes": 0},
        {"minutes": 10, "until": soon().isoformat()},
        {"until": "2001-01-01T00:00:00Z"},
    ):
        error_of(await client.post(url, json=body, headers=owner.headers), 422)
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
