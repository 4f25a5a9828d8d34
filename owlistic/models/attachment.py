from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.time import utcnow
from owlistic.kit.types import UTCDateTime
from owlistic.models.base import Base, IdMixin, TimestampMixin


class Blob(Base):
    """Stored content, once per SHA-256; what is known from its bytes lives here."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(127))
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    preview_size: Mapped[int | None] = mapped_column(Integer, default=None)  # None: no preview
    # Bumped by every upload of this content: the sweeper leaves a blob alone until it has
    # been unreferenced and unused for the grace period.
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(IdMixin, TimestampMixin, Base):
    """A file in a note. It has no trash state of its own: it is visible exactly while its
    note is, so it goes to the trash, comes back and is purged with the note's batch."""

    __tablename__ = "attachments"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    note_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("notes.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"), index=True)
    name: Mapped[str] = mapped_column(Text)
