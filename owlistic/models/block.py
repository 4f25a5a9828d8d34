from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Double, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.types import JSONType
from owlistic.models.base import Base, IdMixin, SoftDeleteMixin, TimestampMixin


class Block(IdMixin, TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "blocks"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    note_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("notes.id"))
    type: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # ``metadata`` is reserved by SQLAlchemy's declarative base.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    order: Mapped[float] = mapped_column(Double)

    __table_args__ = (Index("ix_blocks_note_order", "note_id", "order"),)
