from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.time import utcnow
from owlistic.kit.types import UTCDateTime
from owlistic.models.base import Base
from owlistic.models.outbox_event import SeqType


class NoteDocument(Base):
    """The compacted Yjs state of a note; its row is also the lock taken to seed or compact."""

    __tablename__ = "note_documents"

    note_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentUpdate(Base):
    """An accepted Yjs update not yet folded into the note's snapshot (append-only)."""

    __tablename__ = "note_updates"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    note_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("note_documents.note_id", ondelete="CASCADE")
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_note_updates_note_seq", "note_id", "seq"),)
