from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.types import JSONType
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
    due_date: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
