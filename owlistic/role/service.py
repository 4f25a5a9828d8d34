"""Sharing: owners grant viewer or editor roles on notes and notebooks."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import note_for, notebook_for
from owlistic.auth import repository as users
from owlistic.events.outbox import emit
from owlistic.kit.errors import BadRequest, Forbidden, NotFound
from owlistic.kit.time import utcnow
from owlistic.models import Note, Notebook, Role, User
from owlistic.note.events import NoteAccessChanged
from owlistic.notebook.events import NotebookAccessChanged
from owlistic.role import repository

ResourceType = Literal["note", "notebook"]


class RoleService:
    async def _owned(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        resource_type: str,
        resource_id: uuid.UUID,
    ) -> Note | Notebook:
        if resource_type == "note":
            note, _ = await note_for(session, user_id, resource_id, Rank.OWNER, verb="share")
            return note
        if resource_type == "notebook":
            notebook, _ = await notebook_for(
                session, user_id, resource_id, Rank.OWNER, verb="share"
            )
            return notebook
        raise BadRequest("roles can only be granted on notes and notebooks")

    async def _announce(
        self, session: AsyncSession, resource: Note | Notebook, also: uuid.UUID
    ) -> None:
        """Tell everyone who can see the resource, and the affected user, that access changed."""
        if isinstance(resource, Note):
            await emit(
                session,
                NoteAccessChanged(
                    note_id=resource.id,
                    notebook_id=resource.notebook_id,
                    user_id=resource.user_id,
                    title=resource.title,
                    shared_with=also,
                ),
            )
        else:
            await emit(
                session,
                NotebookAccessChanged(
                    notebook_id=resource.id,
                    user_id=resource.user_id,
                    name=resource.name,
                    description=resource.description,
                    shared_with=also,
                ),
            )

    async def list_visible(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        filters: dict[str, str | uuid.UUID | None],
    ) -> list[Role]:
        return await repository.visible(session, user_id, filters)

    async def assign(
        self,
        session: AsyncSession,
        caller: uuid.UUID,
        *,
        target: User,
        resource_type: ResourceType,
        resource_id: uuid.UUID,
        role: str,
    ) -> Role:
        resource = await self._owned(session, caller, resource_type, resource_id)
        if target.id in (caller, resource.user_id):
            raise BadRequest("the owner already has full access")
        existing = await repository.live_of(session, target.id, resource_type, resource_id)
        if existing is None:
            existing = Role(
                user_id=target.id, resource_id=resource_id, resource_type=resource_type, role=role
            )
            session.add(existing)
        else:
            existing.role = role
            existing.updated_at = utcnow()
        await session.flush()
        await self._announce(session, resource, target.id)
        return existing

    async def revoke(self, session: AsyncSession, caller: uuid.UUID, role: Role) -> None:
        if role.user_id != caller:  # anyone may leave a share; only owners remove others
            if role.resource_type not in ("note", "notebook"):
                raise NotFound("Role not found")  # nobody manages another user's own roles
            # Strangers get 404 before anything reveals that the role exists.
            await self._owned(session, caller, role.resource_type, role.resource_id)
        if role.role == "owner":
            raise Forbidden("an owner role cannot be removed")
        resource = await self._resource(session, role)
        role.deleted_at = utcnow()
        await session.flush()
        if resource is not None:
            await self._announce(session, resource, role.user_id)

    async def _resource(self, session: AsyncSession, role: Role) -> Note | Notebook | None:
        model = Note if role.resource_type == "note" else Notebook
        return await session.get(model, role.resource_id)

    async def live_role(self, session: AsyncSession, role_id: uuid.UUID) -> Role:
        role = await repository.live_by_id(session, role_id)
        if role is None:
            raise NotFound("Role not found")
        return role

    async def target_user(
        self, session: AsyncSession, *, user_id: uuid.UUID | None, email: str | None
    ) -> User:
        user = (
            await users.live_by_id(session, user_id)
            if user_id is not None
            else await users.live_by_email(session, email or "")
        )
        if user is None:
            raise NotFound("User not found")
        return user

    async def shares(
        self, session: AsyncSession, caller: uuid.UUID, notebook_id: uuid.UUID
    ) -> list[tuple[User, Role]]:
        await notebook_for(session, caller, notebook_id, Rank.OWNER, verb="see shares of")
        return await repository.notebook_shares(session, notebook_id, except_user=caller)

    async def unshare(
        self,
        session: AsyncSession,
        caller: uuid.UUID,
        notebook_id: uuid.UUID,
        user_id: uuid.UUID,
    ) -> None:
        role = await repository.live_of(session, user_id, "notebook", notebook_id)
        if role is None:
            await notebook_for(session, caller, notebook_id, Rank.OWNER, verb="share")
            raise NotFound("no share for that user")
        await self.revoke(session, caller, role)


role = RoleService()
