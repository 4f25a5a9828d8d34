from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.types import JSONType, UTCDateTime
from owlistic.models.base import Base, IdMixin, SoftDeleteMixin, TimestampMixin


class Task(IdMixin, TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "tasks"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    note_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("notes.id"), index=True)
    # The task block this task is seen as inside its note (one item, two views).
    block_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("blocks.id"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The due instant; an all-day task's is the start of its day in ``time_zone``. The
    # contract's ``due_date`` string is derived from these three columns.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    due_all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # IANA zone the due wall time lives in: recurrence keeps 08:00 at 08:00 across DST.
    time_zone: Mapped[str] = mapped_column(Text, default="UTC")
    # Absolute reminder, or minutes before the due time (one of the two, or neither).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    remind_before_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    # RFC 5545 RRULE value (without the ``RRULE:`` prefix), expanded from ``series_start``.
    recurrence: Mapped[str | None] = mapped_column(Text, default=None)
    series_start: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)

    __table_args__ = (Index("ix_tasks_user_id_due_at", "user_id", "due_at"),)
