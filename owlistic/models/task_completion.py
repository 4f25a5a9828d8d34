from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.time import utcnow
from owlistic.kit.types import UTCDateTime
from owlistic.models.base import Base, IdMixin


class TaskCompletion(IdMixin, Base):
    """An occurrence of a recurring task that was done (or skipped) before the task moved on."""

    __tablename__ = "task_completions"

    task_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tasks.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
