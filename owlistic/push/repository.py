"""Every query of the push domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import PushSubscription


async def by_endpoint(session: AsyncSession, endpoint: str) -> PushSubscription | None:
    return await session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )


async def count_of(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(select(func.count()).where(PushSubscription.user_id == user_id))
    return count or 0


async def remove(session: AsyncSession, user_id: uuid.UUID, endpoint: str) -> bool:
    """Whether the user had that subscription."""
    result = await session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def of_user(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Any]:
    """(id, endpoint, p256dh, auth) of each of the user's subscriptions."""
    rows = await session.execute(
        select(
            PushSubscription.id,
            PushSubscription.endpoint,
            PushSubscription.p256dh,
            PushSubscription.auth,
        ).where(PushSubscription.user_id == user_id)
    )
    return list(rows)


async def remove_ids(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids)))
