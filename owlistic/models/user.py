from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.types import JSONType, UTCDateTime
from owlistic.models.base import Base, IdMixin, SoftDeleteMixin, TimestampMixin


class User(IdMixin, TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(150))
    display_name: Mapped[str] = mapped_column(Text, default="")
    profile_pic: Mapped[str] = mapped_column(Text, default="")
    preferences: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    # Bumped on password change: tokens carrying an older value stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    # Set by an admin: the account cannot log in and its tokens stop working.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # IANA zone for "today" and new tasks; the web app fills in the browser's when unset.
    time_zone: Mapped[str | None] = mapped_column(Text, default=None)
    email_reminders: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        # Only live accounts reserve an email or username (a deleted user's can be reused).
        Index(
            "uq_users_email_live",
            "email",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "uq_users_username_live",
            "username",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )
