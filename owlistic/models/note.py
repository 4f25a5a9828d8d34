from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Text, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.types import JSONType
from owlistic.models.base import Base, IdMixin, SoftDeleteMixin, TimestampMixin


class Note(IdMixin, TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "notes"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    notebook_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("notebooks.id"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str] | None] = mapped_column(JSONType, default=None)
    # Pinned notes come first in every list, for everyone who can read the note.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
