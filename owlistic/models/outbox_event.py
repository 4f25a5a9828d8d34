from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.time import utcnow
from owlistic.kit.types import JSONType, UTCDateTime
from owlistic.models.base import Base

# SQLite only auto-increments an INTEGER PRIMARY KEY.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    """A domain event, written in the same transaction as the change that caused it."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    # A client-side unique value: the ORM inserts a unit of work's events in one statement.
    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, unique=True, default=uuid.uuid4, insert_sentinel=True
    )
    event: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Broker partition key: the note (or owning entity) id keeps one note's events in order.
    key: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(64))
    # Who may read it, decided in the writing transaction (user ids as strings).
    audience: Mapped[list[str]] = mapped_column(JSONType)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index(
            "ix_events_pending",
            "seq",
            postgresql_where=text("NOT dispatched"),
            sqlite_where=text("NOT dispatched"),
        ),
        Index("ix_events_dispatched_at", "dispatched_at"),
    )
