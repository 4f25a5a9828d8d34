from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.time import utcnow
from owlistic.kit.types import JSONType, UTCDateTime
from owlistic.models.base import Base, IdMixin


class Reminder(IdMixin, Base):
    """One reminder of one task occurrence: pending until the scheduler fires it, then the
    durable record of when it was sent and through which channels."""

    __tablename__ = "reminders"

    task_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tasks.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "due" (from the task's settings) or "snooze".
    kind: Mapped[str] = mapped_column(String(16), default="due")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Fired noticeably after ``fire_at`` (the server was down or busy).
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # What was delivered: {"event": true, "push": <sent>, "push_removed": <n>, "email": bool}.
    channels: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The scheduler's only hot query: the earliest pending reminders.
        Index(
            "ix_reminders_pending",
            "fire_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )
