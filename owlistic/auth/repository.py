"""Identity queries: the live account behind a credential or a token, and revocations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import RevokedFamily, RevokedToken, User


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


async def is_family_revoked(session: AsyncSession, family: str) -> bool:
    return bool(family) and await session.get(RevokedFamily, family) is not None


async def prune_revocations(session: AsyncSession, *, before: datetime) -> int:
    tokens = await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < before))
    families = await session.execute(delete(RevokedFamily).where(RevokedFamily.expires_at < before))
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (tokens, families))


async def token_holder(
    session: AsyncSession, user_id: uuid.UUID, jti: str, family: str
) -> tuple[User, bool] | None:
    """The live user a token names and whether that token or its login (family) is
    revoked, in one round trip."""
    row = (
        await session.execute(
            select(User, RevokedToken.jti, RevokedFamily.family)
            .select_from(User)
            .outerjoin(RevokedToken, RevokedToken.jti == literal(jti))
            .outerjoin(RevokedFamily, RevokedFamily.family == literal(family))
            .where(User.id == user_id, User.live())
        )
    ).first()
    return None if row is None else (row[0], row[1] is not None or row[2] is not None)
