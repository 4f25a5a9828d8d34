"""Due times, time zones, recurrence and reminder times of tasks: pure functions.

A due time is kept as an instant plus the IANA zone its wall time belongs to, so that
"every Monday 08:00" stays at 08:00 local time across DST changes: occurrences are
expanded on the naive local wall time (python-dateutil) and only then turned into instants.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from owlistic.kit.time import zone as zone

MIN_YEAR, MAX_YEAR = 1970, 9999
# Clocks of client and server differ a little, and a request takes time: a reminder this
# far in the past is still "now" (accepted, and fired at once).
PAST_GRACE = timedelta(minutes=1)
MAX_RULE_LENGTH = 500
# Reminders for tasks due every minute or hour would be spam; calendars rarely offer it.
ALLOWED_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)(?:;|$)")
# How far ahead an occurrence is looked for (a rule matching nothing for a century has ended).
_HORIZON = timedelta(days=366 * 100)


def check_year(moment: datetime | date, field: str) -> None:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"{field} must be between {MIN_YEAR} and {MAX_YEAR}")


def parse_instant(value: str, field: str) -> datetime:
    """An RFC 3339 date-time with an offset (``Z`` or ``±hh:mm``)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{field} must be an RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{field} needs a time zone offset (e.g. Z or +02:00)")
    check_year(moment, field)
    return _to_utc(moment, field)


def _to_utc(moment: datetime, field: str) -> datetime:
    """The instant in UTC; an offset can push the last days of year 9999 past it."""
    try:
        instant = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{field} must be between {MIN_YEAR} and {MAX_YEAR}") from None
    return instant


def parse_due(value: str, tz: ZoneInfo, field: str = "due_at") -> tuple[datetime, bool]:
    """``YYYY-MM-DD`` (all day), a local ``YYYY-MM-DDTHH:MM[:SS]`` in ``tz``, or an RFC 3339
    date-time; returns the instant and whether it is all day."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            check_year(day, field)
            return _to_utc(datetime(day.year, day.month, day.day, tzinfo=tz), field), True
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        if "between" in str(exc):
            raise
        raise ValueError(
            f"{field} must be YYYY-MM-DD, a local YYYY-MM-DDTHH:MM or an RFC 3339 date-time"
        ) from None
    check_year(moment, field)
    if moment.tzinfo is None:
        return _to_utc(moment.replace(tzinfo=tz), field), False
    return _to_utc(moment, field), False


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz).astimezone(UTC)


def local_wall(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def due_text(due_at: datetime | None, all_day: bool, tz_name: str) -> str:
    """The contract's ``due_date``: ``YYYY-MM-DD`` for all-day, else RFC 3339 in the zone."""
    if due_at is None:
        return ""
    local = due_at.astimezone(zone(tz_name))
    return local.date().isoformat() if all_day else local.isoformat()


def normalize_rule(text: str) -> str:
    """A single RRULE value, checked by expanding it; ValueError says what is wrong."""
    value = text.strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    if not value or len(value) > MAX_RULE_LENGTH or "\n" in value or "\r" in value:
        raise ValueError(f"recurrence must be one RRULE of at most {MAX_RULE_LENGTH} characters")
    if "DTSTART" in value.upper():
        raise ValueError("recurrence must not carry DTSTART (the due time is the start)")
    try:
        rule = rrulestr(value, dtstart=datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"recurrence is not a valid RRULE: {exc}") from None
    freq = _FREQ.search(value.upper())
    if not isinstance(rule, rrule) or freq is None or freq.group(1) not in ALLOWED_FREQUENCIES:
        raise ValueError("recurrence FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    return value.upper()


def _rule(text: str, start_wall: datetime) -> rrule:
    rule = rrulestr(text, dtstart=start_wall, ignoretz=True)
    assert isinstance(rule, rrule)
    return rule


def next_occurrence(
    rule: str, series_start: datetime, after: datetime, tz_name: str
) -> datetime | None:
    """The first occurrence of ``rule`` (anchored at ``series_start``) after ``after``."""
    tz = zone(tz_name)
    start = local_wall(series_start, tz)
    wall = _rule(rule, start).after(local_wall(after, tz))
    if wall is None or wall - start > _HORIZON or wall.year > MAX_YEAR:
        return None
    return local_to_utc(wall, tz)


def occurrences(
    rule: str, series_start: datetime, tz_name: str, until: datetime, limit: int
) -> list[datetime]:
    """Occurrences from ``series_start`` up to ``until`` (at most ``limit``), as instants."""
    tz = zone(tz_name)
    out: list[datetime] = []
    end = local_wall(until, tz)
    for wall in _rule(rule, local_wall(series_start, tz)):
        if wall > end or len(out) >= limit:
            break
        out.append(local_to_utc(wall, tz))
    return out


def reminder_time(
    due_at: datetime | None, remind_at: datetime | None, before_minutes: int | None
) -> datetime | None:
    if remind_at is not None:
        return remind_at
    if before_minutes is not None and due_at is not None:
        return due_at - timedelta(minutes=before_minutes)
    return None
