"""Who may read an event: resolved in the writing transaction, by the scope it concerns.

A transaction often emits several events about one note (a block and its task); the
audience of a scope is looked up once per transaction, and forgotten whenever a flush
writes roles (a share granted or revoked changes it). The hot writes load it with the
note they check access on (``note_holders`` as a column of that query, ``remember_note``
with the result): their events then cost no statement of their own for it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, ScalarSelect, and_, event, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import SQLCoreOperations

from owlistic.kit.sqljson import uuid_text
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


def _holds_note(
    note_id: uuid.UUID | SQLCoreOperations[uuid.UUID],
    notebook_id: uuid.UUID | SQLCoreOperations[uuid.UUID],
) -> ColumnElement[bool]:
    return Role.live() & or_(
        and_(Role.resource_type == "notebook", Role.resource_id == notebook_id),
        and_(Role.resource_type == "note", Role.resource_id == note_id),
    )


def note_holders() -> ScalarSelect[str | None]:
    """A column for a query that loads a ``Note``: the ids of everyone with a live role on
    it or its notebook, comma-separated (NULL when none), for ``remember_note``."""
    return (
        select(func.aggregate_strings(uuid_text(Role.user_id), ","))
        .where(_holds_note(Note.id, Note.notebook_id))
        .scalar_subquery()
    )


def remember_note(
    session: AsyncSession, note: Note, notebook_owner: uuid.UUID, holders: str | None
) -> None:
    """Records the audience of ``note`` from what its query loaded (``note_holders``)."""
    readers = {str(note.user_id), str(notebook_owner)}
    readers.update(holders.split(",") if holders else ())
    _memo(session)[("note", note.id, note.user_id, note.notebook_id)] = readers


async def of_note(
    session: AsyncSession, note_id: uuid.UUID, *, owner: uuid.UUID, notebook_id: uuid.UUID
) -> set[str]:
    """The note's owner, its notebook's owner and everyone with a role on either."""
    key = ("note", note_id, owner, notebook_id)
    memo = _memo(session)
    if key not in memo:
        holders = await session.execute(
            select(Role.user_id)
            .where(_holds_note(note_id, notebook_id))
            .union_all(select(Notebook.user_id).where(Notebook.id == notebook_id))
        )
        memo[key] = {str(owner), *(str(u) for (u,) in holders)}
    return set(memo[key])


async def of_new_notes(
    session: AsyncSession, note_ids: list[uuid.UUID], *, owner: uuid.UUID, notebook: Notebook
) -> None:
    """Remembers ``of_note`` for notes created in this transaction whose only role is their
    owner's, all in ``notebook`` (an import): one lookup for all of them, not one each.
    Call it after their roles are flushed (a flush that writes roles forgets the memo)."""
    readers = await of_notebook(session, notebook.id, owner=notebook.user_id)
    readers.add(str(owner))
    memo = _memo(session)
    for note_id in note_ids:
        memo[("note", note_id, owner, notebook.id)] = readers


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
