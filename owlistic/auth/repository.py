"""Identity queries: the live account behind a credential or a token, revocations and the
rate-limit counters."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime

from sqlalchemy import Select, bindparam, case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import RateLimitCounter, RevokedFamily, RevokedToken, User


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


@functools.cache
def _token_holder() -> Select[User, str | None, str | None]:
    # Built once: every authenticated request runs it (docs/architecture.md, "Per-request cost").
    return (
        select(User, RevokedToken.jti, RevokedFamily.family)
        .select_from(User)
        .outerjoin(RevokedToken, RevokedToken.jti == bindparam("jti"))
        .outerjoin(RevokedFamily, RevokedFamily.family == bindparam("family"))
        .where(User.id == bindparam("user_id"), User.live())
    )


async def token_holder(
    session: AsyncSession, user_id: uuid.UUID, jti: str, family: str
) -> tuple[User, bool] | None:
    """The live user a token names and whether that token or its login (family) is
    revoked, in one round trip."""
    params = {"user_id": user_id, "jti": jti, "family": family}
    row = (await session.execute(_token_holder(), params)).first()
    return None if row is None else (row[0], row[1] is not None or row[2] is not None)


async def count_hit(session: AsyncSession, key: str, window: int) -> int:
    """One more hit on ``key`` in ``window`` (a new window starts again at 1): the count."""
    table = RateLimitCounter.__table__
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = (
        insert(RateLimitCounter)
        .values(key=key, window=window, hits=1)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((table.c.window == window, table.c.hits + 1), else_=1),
                "window": window,
            },
        )
        .returning(table.c.hits)
    )
    return int((await session.execute(statement)).scalar_one())


async def prune_rate_counters(session: AsyncSession, *, before_window: int) -> int:
    result = await session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window < before_window)
    )
    return int(getattr(result, "rowcount", 0) or 0)
