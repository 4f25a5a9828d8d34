from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, JsonValue, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from owlistic.kit.schemas import InputSchema, Schema, TimeZoneName
from owlistic.models import Task
from owlistic.task import schedule

# Four weeks: "remind me a month before" is what calendars offer at most.
MAX_REMIND_BEFORE_MINUTES = 40_320
# A snooze longer than a year is a new due date, not a snooze.
MAX_SNOOZE_MINUTES = 525_600

DUE_DATE_PATTERN = (
    r"^(|\d{4}-\d{2}-\d{2}"
    r"|\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)$"
)
_DUE_DATE = re.compile(DUE_DATE_PATTERN, re.ASCII)
# What the schema states (a subset of what is accepted, e.g. local ``YYYY-MM-DDTHH:MM``
# too): real dates and RFC 3339 date-times in the years the server keeps (an offset can
# move 9999-12-31T23:00 past the last year, so date-times stop at 9998).
_YEAR = r"(19[7-9][0-9]|[2-9][0-9]{3})"
_TIME_YEAR = r"(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2})"
DATE_SCHEMA: dict[str, JsonValue] = {"type": "string", "format": "date", "pattern": f"^{_YEAR}-"}
DATE_TIME_SCHEMA: dict[str, JsonValue] = {
    "type": "string",
    "format": "date-time",
    "pattern": f"^{_TIME_YEAR}-",
}
DUE_DATE_FORMATS: list[JsonValue] = [
    {"type": "string", "maxLength": 0},
    DATE_SCHEMA,
    DATE_TIME_SCHEMA,
]
NULL: dict[str, JsonValue] = {"type": "null"}
# The repetitions the schema states (any other valid RFC 5545 RRULE is accepted too).
_DAY = "(MO|TU|WE|TH|FR|SA|SU)"
RRULE_PATTERN = (
    r"^$|^(RRULE:)?FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;INTERVAL=[1-9][0-9]{0,2})?"
    rf"(;BYDAY={_DAY}(,{_DAY}){{0,6}})?(;COUNT=[1-9][0-9]{{0,3}})?$"
)
DUE_DATE_DESCRIPTION = "`YYYY-MM-DD`, an RFC 3339 date-time, or empty for none"


def _due_syntax(value: object) -> object:
    """Syntax only (the zone that gives a local time its instant is known in the service)."""
    if value is None or value == "":
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if not _DUE_DATE.fullmatch(value):
        raise ValueError("must be YYYY-MM-DD, a local YYYY-MM-DDTHH:MM or an RFC 3339 date-time")
    schedule.parse_due(value, schedule.zone("UTC"), "date")
    return value


def _instant(value: object) -> object:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 date-time string")
    return schedule.parse_instant(value, "date-time")


def _rule(value: str | None) -> str | None:
    return None if value is None or value == "" else schedule.normalize_rule(value)


class TaskOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    note_id: uuid.UUID | None
    block_id: uuid.UUID | None
    title: str
    description: str
    is_completed: bool
    # The original client's field: YYYY-MM-DD (all day) or RFC 3339, "" when not due.
    due_date: str
    due_at: datetime | None
    due_all_day: bool
    time_zone: str
    remind_at: datetime | None
    remind_before_minutes: int | None
    recurrence: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        tz = schedule.zone(task.time_zone)
        return cls(
            id=task.id,
            user_id=task.user_id,
            note_id=task.note_id,
            block_id=task.block_id,
            title=task.title,
            description=task.description,
            is_completed=task.is_completed,
            due_date=schedule.due_text(task.due_at, task.due_all_day, task.time_zone),
            due_at=task.due_at.astimezone(tz) if task.due_at else None,
            due_all_day=task.due_all_day,
            time_zone=task.time_zone,
            remind_at=schedule.reminder_time(
                task.due_at, task.remind_at, task.remind_before_minutes
            ),
            remind_before_minutes=task.remind_before_minutes,
            recurrence=task.recurrence,
            metadata=task.meta,
            created_at=task.created_at,
            updated_at=task.updated_at,
            deleted_at=task.deleted_at,
        )


class ScheduleInput(InputSchema):
    """Due time, reminder and repetition; on update only the keys present change.

    ``due_at`` and the contract's ``due_date`` are the same field (``due_at`` wins when
    both are sent): ``YYYY-MM-DD`` is all day, ``YYYY-MM-DDTHH:MM`` is a wall time in
    ``time_zone`` (default: the profile's), an offset makes it an instant."""

    due_at: str | None = Field(
        None,
        max_length=64,
        description=DUE_DATE_DESCRIPTION,
        json_schema_extra={"anyOf": [*DUE_DATE_FORMATS, {"type": "null"}]},
    )
    time_zone: TimeZoneName | None = None
    remind_at: datetime | None = Field(
        None, json_schema_extra={"anyOf": [DATE_TIME_SCHEMA, {"type": "null"}]}
    )
    remind_before_minutes: int | None = Field(None, ge=0, le=MAX_REMIND_BEFORE_MINUTES)
    recurrence: str | None = Field(
        None,
        max_length=schedule.MAX_RULE_LENGTH + 6,
        description="An RFC 5545 RRULE (FREQ DAILY, WEEKLY, MONTHLY or YEARLY); empty for none",
        json_schema_extra={
            "anyOf": [{"type": "string", "pattern": RRULE_PATTERN}, {"type": "null"}]
        },
    )

    _due = field_validator("due_at", mode="before")(_due_syntax)
    _remind = field_validator("remind_at", mode="before")(_instant)
    _rrule = field_validator("recurrence")(_rule)


class TaskCreate(ScheduleInput):
    title: str = Field("", max_length=1000)
    description: str = Field("", max_length=10_000)
    is_completed: StrictBool = False
    due_date: str = Field(
        "",
        max_length=64,
        description=DUE_DATE_DESCRIPTION,
        json_schema_extra={"anyOf": DUE_DATE_FORMATS},
    )
    note_id: uuid.UUID | None = None
    block_id: uuid.UUID | None = None

    _d = field_validator("due_date", mode="before")(_due_syntax)


class TaskUpdate(ScheduleInput):
    title: str | None = Field(None, max_length=1000)
    description: str | None = Field(None, max_length=10_000)
    is_completed: StrictBool | None = None
    due_date: str | None = Field(
        None,
        max_length=64,
        description=DUE_DATE_DESCRIPTION,
        json_schema_extra={"anyOf": [*DUE_DATE_FORMATS, {"type": "null"}]},
    )
    metadata: dict[str, Any] | None = None

    _d = field_validator("due_date", mode="before")(_due_syntax)


class Snooze(InputSchema):
    """Remind again after ``minutes``, or at ``until`` (exactly one of the two)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["minutes"]}, {"required": ["until"]}]}
    )

    minutes: Annotated[int, Field(ge=1, le=MAX_SNOOZE_MINUTES)] | SkipJsonSchema[None] = None
    until: Annotated[datetime, Field(json_schema_extra=DATE_TIME_SCHEMA)] | SkipJsonSchema[None] = (
        None
    )

    @field_validator("minutes", "until", mode="before")
    @classmethod
    def _given(cls, value: object) -> object:
        # Left out means "not this one"; null is not a value of either.
        if value is None:
            raise ValueError("must not be null; leave it out instead")
        return value

    _until = field_validator("until", mode="before")(_instant)


class CompletionOut(Schema):
    occurrence_at: datetime
    skipped: bool
    completed_at: datetime
