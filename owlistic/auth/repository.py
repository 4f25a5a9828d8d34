"""Identity queries: the live account behind a credential or a token, and revocations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import RevokedToken, User


async def live_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower(), User.live()))


async def live_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id, User.live()))


async def store_password_hash(
    session: AsyncSession, user_id: uuid.UUID, password_hash: str
) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(password_hash=password_hash)
    )


async def is_revoked(session: AsyncSession, jti: str) -> bool:
    return await session.get(RevokedToken, jti) is not None


async def prune_revocations(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def token_holder(
    session: AsyncSession, user_id: uuid.UUID, jti: str
) -> tuple[User, bool] | None:
    """The live user a token names and whether that token is revoked, in one round trip."""
    row = (
        await session.execute(
            select(User, RevokedToken.jti)
            .outerjoin(RevokedToken, RevokedToken.jti == literal(jti))
            .where(User.id == user_id, User.live())
        )
    ).first()
    return None if row is None else (row[0], row[1] is not None)
