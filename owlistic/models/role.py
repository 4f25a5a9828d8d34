from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.models.base import Base, IdMixin, SoftDeleteMixin, TimestampMixin


class Role(IdMixin, TimestampMixin, SoftDeleteMixin, Base):
    """A user's role on one resource (polymorphic: no foreign key on ``resource_id``)."""

    __tablename__ = "roles"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    resource_type: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(50))

    __table_args__ = (
        Index(
            "uq_roles_user_resource_live",
            "user_id",
            "resource_id",
            "resource_type",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_roles_resource", "resource_id", "resource_type"),
    )
