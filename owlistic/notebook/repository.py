"""Every query of the notebook domain."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_notebook_ids
from owlistic.models import Notebook, Role


async def readable_with_role(
    session: AsyncSession, user_id: uuid.UUID, *, name: str | None
) -> list[tuple[Notebook, str | None]]:
    """Live notebooks the user may read, with the user's live role on each (None: none)."""
    query = (
        select(Notebook, Role.role)
        .outerjoin(
            Role,
            (Role.resource_id == Notebook.id)
            & (Role.user_id == user_id)
            & (Role.resource_type == "notebook")
            & Role.live(),
        )
        .where(Notebook.id.in_(readable_notebook_ids(user_id)), Notebook.live())
        .order_by(Notebook.created_at, Notebook.id)
    )
    if name:
        query = query.where(Notebook.name.contains(name, autoescape=True))
    return [(nb, role) for nb, role in await session.execute(query)]
