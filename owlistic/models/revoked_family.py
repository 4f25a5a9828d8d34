from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.kit.types import UTCDateTime
from owlistic.models.base import Base


class RevokedFamily(Base):
    """A login's whole token family (every access and refresh token descended from it),
    ended by logout or by the reuse of a rotated refresh token; kept until it would expire."""

    __tablename__ = "revoked_token_families"

    family: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
