from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from owlistic.kit.time import utcnow
from owlistic.kit.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SoftDeleteMixin:
    # Not indexed: nearly every row is NULL here, so such an index never narrows a search,
    # and SQLite without statistics preferred it to the selective index of the same query
    # (migrations 0002 and 0003). Every query on deleted_at also filters by id or owner.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Everything trashed by one action shares a batch id, so restore brings back exactly that.
    deleted_batch: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)

    # The one place that says what live and trashed mean; queries write ``Note.live()``.
    @classmethod
    def live(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None)

    @classmethod
    def trashed(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_not(None)

    def stamp(self, at: datetime, batch: uuid.UUID | None) -> None:
        """Moves this row to the trash as part of ``batch``."""
        self.deleted_at, self.deleted_batch = at, batch
