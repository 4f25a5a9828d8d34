"""The calendar feed: secret URL lifecycle, caching, and its content read by a second,
independent iCalendar parser (recurring-ical-events expands the rules)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import icalendar
import recurring_ical_events

from tests.api.helpers import API, error_of, ok
from tests.api.helpers import task as create_task
from tests.conftest import register

BERLIN = ZoneInfo("Europe/Berlin")


async def test_feed_lists_open_tasks_as_todos_and_dated_ones_as_events(
    client: httpx.AsyncClient,
) -> None:
    ann = await register(client)
    plants = await create_task(
        client,
        ann,
        title="water the plants",
        due_at="2027-03-15T08:00",
        time_zone="Europe/Berlin",
        recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
    )
    trip = await create_task(client, ann, title="trip", due_at="2027-06-01")
    await create_task(client, ann, title="someday")
    done = await create_task(client, ann, title="done", due_at="2027-01-01", is_completed=True)

    feed = ok(await client.post(f"{API}/calendar/feed", headers=ann.headers))
    assert feed["url"].endswith(f"/api/v1/calendar/{feed['token']}.ics")
    r = await client.get(feed["url"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VTIMEZONE" in r.text
    assert "TZID:Europe/Berlin" in r.text

    # The second parser: recurring-ical-events over the icalendar object model, which
    # expands RRULEs in the given time window.
    cal = icalendar.Calendar.from_ical(r.content)
    todos = {str(c["SUMMARY"]): c for c in cal.walk("VTODO")}
    assert set(todos) == {"water the plants", "trip", "someday"}, "open tasks only"
    assert str(todos["trip"]["UID"]) == f"{trip['id']}@owlistic"
    events = recurring_ical_events.of(cal, components=["VEVENT"]).between(
        date(2027, 3, 1), date(2027, 7, 1)
    )
    plants_events = [e for e in events if str(e["SUMMARY"]) == "water the plants"]
    starts = sorted(e["DTSTART"].dt for e in plants_events)
    # Four Mondays at 08:00 Berlin time, across the switch to summer time on 28 March.
    assert starts == [datetime(2027, 3, d, 8, 0, tzinfo=BERLIN) for d in (15, 22, 29)] + [
        datetime(2027, 4, 5, 8, 0, tzinfo=BERLIN)
    ]
    assert [s.utcoffset().total_seconds() / 3600 for s in starts] == [1, 1, 2, 2]
    assert {str(e["UID"]) for e in plants_events} == {f"{plants['id']}-due@owlistic"}
    [trip_event] = [e for e in events if str(e["SUMMARY"]) == "trip"]
    assert trip_event["DTSTART"].dt == date(2027, 6, 1), "all-day task as an all-day event"
    assert done["id"] not in r.text

    # Ticking off the first occurrence: the feed moves on and keeps the same UIDs.
    tag = r.headers["etag"]
    ok(
        await client.put(
            f"{API}/tasks/{plants['id']}", json={"is_completed": True}, headers=ann.headers
        )
    )
    r2 = await client.get(feed["url"], headers={"If-None-Match": tag})
    assert r2.status_code == 200
    assert r2.headers["etag"] != tag
    cal2 = icalendar.Calendar.from_ical(r2.content)
    later = recurring_ical_events.of(cal2, components=["VEVENT"]).between(
        date(2027, 3, 1), date(2027, 7, 1)
    )
    starts2 = sorted(e["DTSTART"].dt for e in later if str(e["SUMMARY"]) == "water the plants")
    assert starts2 == starts[1:], "the series still ends after its fourth Monday"


async def test_unchanged_feed_answers_304(client: httpx.AsyncClient) -> None:
    ann = await register(client)
    await create_task(client, ann, title="a", due_at="2027-02-02")
    url = ok(await client.post(f"{API}/calendar/feed", headers=ann.headers))["url"]
    first = await client.get(url)
    tag = first.headers["etag"]
    again = await client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    await create_task(client, ann, title="b")
    changed = await client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert "SUMMARY:b" in changed.text


async def test_rotate_and_revoke_end_the_old_url(client: httpx.AsyncClient) -> None:
    ann, bob = await register(client), await register(client)
    first = ok(await client.post(f"{API}/calendar/feed", headers=ann.headers))
    second = ok(await client.post(f"{API}/calendar/feed", headers=ann.headers))
    assert first["token"] != second["token"]
    error_of(await client.get(first["url"]), 404)
    assert (await client.get(second["url"])).status_code == 200
    r = await client.delete(f"{API}/calendar/feed", headers=ann.headers)
    assert r.status_code == 204
    error_of(await client.get(second["url"]), 404)
    error_of(await client.delete(f"{API}/calendar/feed", headers=ann.headers), 404)
    error_of(await client.delete(f"{API}/calendar/feed", headers=bob.headers), 404)
    error_of(await client.post(f"{API}/calendar/feed"), 401)
    for wrong in ("x", "a" * 43, "../../etc/passwd", "%00" * 30, "a" * 500):
        error_of(await client.get(f"{API}/calendar/{wrong}.ics"), 404)
