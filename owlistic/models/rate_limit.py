from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.models.base import Base


class RateLimitCounter(Base):
    """Hits of one limit key (e.g. ``login:addr:1.2.3.4``) in its current fixed window.

    In the database so that every server process counts against the same number."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer)
