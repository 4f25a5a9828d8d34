"""Access resolution. A resource the caller has no role on is reported as not found."""

from __future__ import annotations

import functools
import uuid

from sqlalchemy import ColumnElement, Select, and_, bindparam, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access import audience
from owlistic.access.roles import Rank
from owlistic.kit.errors import Forbidden, NotFound
from owlistic.models import Note, Notebook, Role


def _live_roles_of(user_id: uuid.UUID) -> Select[str, str, uuid.UUID]:
    return select(Role.role, Role.resource_type, Role.resource_id).where(
        Role.user_id == user_id, Role.live()
    )


async def is_admin(session: AsyncSession, user_id: uuid.UUID) -> bool:
    row = await session.scalar(
        select(Role.id)
        .where(
            Role.user_id == user_id,
            Role.live(),
            Role.resource_type == "user",
            Role.role == "admin",
        )
        .limit(1)
    )
    return row is not None


async def notebook_rank(session: AsyncSession, user_id: uuid.UUID, notebook: Notebook) -> Rank:
    if notebook.user_id == user_id:
        return Rank.OWNER
    role = await session.scalar(
        select(Role.role).where(
            Role.user_id == user_id,
            Role.live(),
            Role.resource_type == "notebook",
            Role.resource_id == notebook.id,
        )
    )
    return min(Rank.of(role), Rank.OWNER)


async def note_rank(
    session: AsyncSession, user_id: uuid.UUID, note: Note, notebook_owner: uuid.UUID
) -> Rank:
    if user_id in (note.user_id, notebook_owner):
        return Rank.OWNER
    rows = await session.execute(
        _live_roles_of(user_id).where(
            or_(
                and_(Role.resource_type == "note", Role.resource_id == note.id),
                and_(Role.resource_type == "notebook", Role.resource_id == note.notebook_id),
            )
        )
    )
    best = max((Rank.of(role) for role, _, _ in rows), default=Rank.NONE)
    return min(best, Rank.OWNER)


def _refuse(rank: Rank, minimum: Rank, what: str, verb: str) -> None:
    if rank == Rank.NONE:
        raise NotFound(f"{what.capitalize()} not found")
    if rank < minimum:
        raise Forbidden(f"not authorized to {verb} this {what}")


async def notebook_for(
    session: AsyncSession,
    user_id: uuid.UUID,
    notebook_id: uuid.UUID,
    minimum: Rank,
    *,
    verb: str = "access",
    trashed: bool = False,
) -> tuple[Notebook, Rank]:
    notebook = await session.get(Notebook, notebook_id)
    if notebook is None or (notebook.deleted_at is not None) != trashed:
        raise NotFound("Notebook not found")
    rank = await notebook_rank(session, user_id, notebook)
    _refuse(rank, minimum, "notebook", verb)
    return notebook, rank


@functools.cache
def _note_with_owner(for_events: bool) -> Select[Note, uuid.UUID, str | None]:
    # Built once per variant: most note and block writes run it (see docs/architecture.md,
    # "Per-request cost").
    holders = audience.note_holders() if for_events else null()
    return (
        select(Note, Notebook.user_id, holders)
        .join(Notebook, Notebook.id == Note.notebook_id)
        .where(Note.id == bindparam("note_id"))
    )


async def note_for(
    session: AsyncSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    minimum: Rank,
    *,
    verb: str = "access",
    trashed: bool = False,
    for_events: bool = False,
) -> tuple[Note, Rank]:
    """``for_events``: the caller emits events about the note; their audience is loaded
    with it (``audience.note_holders``) instead of by a statement of its own."""
    row = (await session.execute(_note_with_owner(for_events), {"note_id": note_id})).first()
    if row is None or (row[0].deleted_at is not None) != trashed:
        raise NotFound("Note not found")
    note, notebook_owner, holders_found = row
    if for_events:
        audience.remember_note(session, note, notebook_owner, holders_found)
    rank = await check_note(session, user_id, note, notebook_owner, minimum, verb=verb)
    return note, rank


async def check_note(
    session: AsyncSession,
    user_id: uuid.UUID,
    note: Note,
    notebook_owner: uuid.UUID,
    minimum: Rank,
    *,
    verb: str = "access",
) -> Rank:
    """``note_for`` for a note the caller loaded itself (with its notebook's owner)."""
    rank = await note_rank(session, user_id, note, notebook_owner)
    _refuse(rank, minimum, "note", verb)
    return rank


def readable_notebook_ids(user_id: uuid.UUID) -> Select[uuid.UUID]:
    shared = select(Role.resource_id).where(
        Role.user_id == user_id, Role.live(), Role.resource_type == "notebook"
    )
    return select(Notebook.id).where(or_(Notebook.user_id == user_id, Notebook.id.in_(shared)))


def _note_filter(user_id: uuid.UUID, roles: tuple[str, ...] | None) -> ColumnElement[bool]:
    def shared(resource_type: str) -> Select[uuid.UUID]:
        query = select(Role.resource_id).where(
            Role.user_id == user_id, Role.live(), Role.resource_type == resource_type
        )
        return query if roles is None else query.where(Role.role.in_(roles))

    notebooks = select(Notebook.id).where(
        or_(Notebook.user_id == user_id, Notebook.id.in_(shared("notebook")))
    )
    return or_(
        Note.user_id == user_id,
        Note.notebook_id.in_(notebooks),
        Note.id.in_(shared("note")),
    )


def readable_note_filter(user_id: uuid.UUID) -> ColumnElement[bool]:
    """A WHERE clause over ``Note`` selecting notes the user may read."""
    return _note_filter(user_id, None)


def writable_note_filter(user_id: uuid.UUID) -> ColumnElement[bool]:
    """A WHERE clause over ``Note`` selecting notes the user may edit."""
    return _note_filter(user_id, ("editor", "owner"))
