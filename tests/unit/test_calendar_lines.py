"""The feed's content lines, written without icalendar's per-property encoder, read back
by icalendar: escaping, folding at 75 octets inside multi-byte characters, zones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import icalendar

from owlistic.calendar.feed import build_feed
from owlistic.models import Task

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _task(**fields: object) -> Task:
    base: dict[str, object] = {
        "id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "title": "t",
        "description": "",
        "is_completed": False,
        "due_at": None,
        "due_all_day": False,
        "time_zone": "UTC",
        "recurrence": None,
        "series_start": None,
        "meta": {},
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Task(**{**base, **fields})


def test_text_is_escaped_and_folded_within_75_octets() -> None:
    title = "Café, croissants; \\ backslash " + "ünïcødé " * 20 + "😀" * 10
    notes = "first line\nsecond, with; specials"
    body = build_feed([_task(title=title, description=notes)], "Mine", NOW)
    assert all(len(line) <= 75 for line in body.split(b"\r\n")), "folded by octets"
    todo: Any
    [todo] = icalendar.Calendar.from_ical(body).walk("VTODO")
    assert str(todo["SUMMARY"]) == title
    assert str(todo["DESCRIPTION"]) == notes


def test_zoned_all_day_and_utc_times_read_back() -> None:
    berlin = _task(
        title="zoned",
        due_at=datetime(2027, 3, 29, 6, 0, tzinfo=UTC),
        time_zone="Europe/Berlin",
        recurrence="FREQ=WEEKLY;BYDAY=MO",
    )
    day = _task(
        title="day",
        due_at=datetime(2027, 6, 1, 4, 0, tzinfo=UTC),
        due_all_day=True,
        time_zone="Asia/Tokyo",
    )
    utc = _task(title="utc", due_at=datetime(2027, 6, 1, 9, 30, tzinfo=UTC))
    cal = icalendar.Calendar.from_ical(build_feed([berlin, day, utc], "Mine", NOW))
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events: dict[str, Any] = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    start = events["zoned"]["DTSTART"].dt
    assert (start.hour, str(start.tzinfo)) == (8, "Europe/Berlin")
    assert str(events["zoned"]["RRULE"].to_ical().decode()) == "FREQ=WEEKLY;BYDAY=MO"
    assert events["day"]["DTSTART"].dt == date(2027, 6, 1)
    assert events["day"]["DTEND"].dt == date(2027, 6, 2)
    assert events["utc"]["DTSTART"].dt == datetime(2027, 6, 1, 9, 30, tzinfo=UTC)
