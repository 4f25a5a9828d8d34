"""Who may read an event: resolved in the writing transaction, by the scope it concerns.

A transaction often emits several events about one note (a block and its task); the
audience of a scope is looked up once per transaction, and forgotten whenever a flush
writes roles (a share granted or revoked changes it).
"""

from __future__ import annotations

import uuid

from sqlalchemy import and_, event, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from owlistic.models import Note, Notebook, Role

_MEMO = "owlistic.audiences"


def _forget_on_role_writes(session: Session, _flush: object, _instances: object) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Role) for obj in touched):
        session.info.pop(_MEMO, None)


event.listen(Session, "before_flush", _forget_on_role_writes)


def _memo(session: AsyncSession) -> dict[tuple[object, ...], set[str]]:
    memo: dict[tuple[object, ...], set[str]] = session.info.setdefault(_MEMO, {})
    return memo


async def of_note(
    session: AsyncSession, note_id: uuid.UUID, *, owner: uuid.UUID, notebook_id: uuid.UUID
) -> set[str]:
    """The note's owner, its notebook's owner and everyone with a role on either."""
    key = ("note", note_id, owner, notebook_id)
    memo = _memo(session)
    if key not in memo:
        holders = await session.execute(
            select(Role.user_id)
            .where(
                Role.live(),
                or_(
                    and_(Role.resource_type == "notebook", Role.resource_id == notebook_id),
                    and_(Role.resource_type == "note", Role.resource_id == note_id),
                ),
            )
            .union_all(select(Notebook.user_id).where(Notebook.id == notebook_id))
        )
        memo[key] = {str(owner), *(str(u) for (u,) in holders)}
    return set(memo[key])


async def of_note_id(session: AsyncSession, note_id: uuid.UUID) -> set[str]:
    """``of_note`` for an event that names only the note (usually loaded already)."""
    note = await session.get(Note, note_id)
    if note is None:
        return set()
    return await of_note(session, note.id, owner=note.user_id, notebook_id=note.notebook_id)


async def of_notebook(
    session: AsyncSession, notebook_id: uuid.UUID, *, owner: uuid.UUID
) -> set[str]:
    """Everyone who may read the notebook (and so everything in it)."""
    key = ("notebook", notebook_id, owner)
    memo = _memo(session)
    if key not in memo:
        holders = await session.scalars(
            select(Role.user_id).where(
                Role.live(),
                Role.resource_type == "notebook",
                Role.resource_id == notebook_id,
            )
        )
        memo[key] = {str(owner), *(str(u) for u in holders)}
    return set(memo[key])


async def of_notebook_id(session: AsyncSession, notebook_id: uuid.UUID) -> set[str]:
    notebook = await session.get(Notebook, notebook_id)
    if notebook is None:
        return set()
    return await of_notebook(session, notebook.id, owner=notebook.user_id)


def of_user(user_id: uuid.UUID) -> set[str]:
    """Events about an account or its trash go to that account only."""
    return {str(user_id)}
