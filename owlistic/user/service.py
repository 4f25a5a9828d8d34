from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.ownership import owner_role
from owlistic.access.service import is_admin
from owlistic.auth import repository as identities
from owlistic.auth.passwords import hash_password_off_loop, verify_password_off_loop
from owlistic.auth.revocation import revoke_user_sessions
from owlistic.events.outbox import emit
from owlistic.kit.errors import Conflict, Forbidden, NotFound
from owlistic.kit.time import utcnow
from owlistic.models import User
from owlistic.settings import Settings
from owlistic.user import repository
from owlistic.user.events import UserCreated, UserDeleted, UserUpdated
from owlistic.user.schemas import UserUpdate


class UserService:
    async def _free_username(self, session: AsyncSession, email: str) -> str:
        base = email.split("@", 1)[0][:140] or "user"
        candidate, n = base, 1
        while await repository.username_taken(session, candidate):
            n += 1
            candidate = f"{base}{n}"
        return candidate

    async def register(
        self,
        session: AsyncSession,
        *,
        email: str,
        password: str,
        settings: Settings,
        username: str | None = None,
        display_name: str | None = None,
        profile_pic: str | None = None,
        preferences: dict[str, Any] | None = None,
    ) -> User:
        email = email.lower()
        # Hashed before the first query, so no transaction (or SQLite write lock) waits on it.
        password_hash = await hash_password_off_loop(password, settings)
        if await repository.email_taken(session, email):
            raise Conflict("user with that email already exists")
        if username:
            if await repository.username_taken(session, username):
                raise Conflict("username already taken")
        else:
            username = await self._free_username(session, email)
        user = User(
            id=uuid.uuid4(),
            email=email,
            password_hash=password_hash,
            username=username,
            display_name=display_name or "",
            profile_pic=profile_pic or "",
            preferences=preferences,
        )
        session.add(user)
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent registration won the race
            raise Conflict("user with that email or username already exists") from exc
        session.add(owner_role(user))
        await session.flush()
        await emit(
            session, UserCreated(user_id=user.id, email=user.email, created_at=user.created_at)
        )
        return user

    async def grant_admin(self, session: AsyncSession, user: User) -> None:
        """Makes ``user`` a global admin (their own ``user`` role becomes ``admin``).

        Only one live role per (user, resource, type) may exist, so the self role registration
        created is promoted rather than a second row added.
        """
        await repository.promote_self_role(session, user.id, "admin")
        await session.flush()

    async def target(
        self, session: AsyncSession, caller: User, user_id: uuid.UUID, action: str
    ) -> User:
        """The user ``caller`` may act on: itself, or anyone for an admin."""
        if user_id != caller.id and not await is_admin(session, caller.id):
            raise Forbidden(f"You can only {action} your own account")
        user = caller if user_id == caller.id else await identities.live_by_id(session, user_id)
        if user is None:
            raise NotFound("User not found")
        return user

    async def update(
        self,
        session: AsyncSession,
        caller: User,
        user: User,
        changes: UserUpdate,
        settings: Settings,
    ) -> User:
        fields = changes.model_fields_set
        if "email" in fields and changes.email is not None:
            email = changes.email.lower()
            if await repository.email_taken(session, email, except_id=user.id):
                raise Conflict("email already in use")
            user.email = email
        if "username" in fields and changes.username is not None:
            if await repository.username_taken(session, changes.username, except_id=user.id):
                raise Conflict("username already taken")
            user.username = changes.username
        if "display_name" in fields:
            user.display_name = changes.display_name or ""
        if "profile_pic" in fields:
            user.profile_pic = changes.profile_pic or ""
        if "preferences" in fields:
            user.preferences = changes.preferences
        if "time_zone" in fields:
            user.time_zone = changes.time_zone
        if "email_reminders" in fields and changes.email_reminders is not None:
            user.email_reminders = changes.email_reminders
        if "password" in fields and changes.password is not None:
            if caller.id == user.id:
                ok, _ = await verify_password_off_loop(
                    changes.current_password or "", user.password_hash, settings
                )
                if not ok:
                    raise Forbidden("Current password is incorrect")
            await self._set_password(session, user, changes.password, settings)
        user.updated_at = utcnow()
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict("email or username already in use") from exc
        await emit(
            session, UserUpdated(user_id=user.id, email=user.email, updated_at=user.updated_at)
        )
        return user

    async def _set_password(
        self, session: AsyncSession, user: User, password: str, settings: Settings
    ) -> None:
        user.password_hash = await hash_password_off_loop(password, settings)
        user.token_version += 1  # every token issued before this stops working
        await revoke_user_sessions(session, user.id, "password changed")

    async def change_password(
        self, session: AsyncSession, user: User, *, current: str, new: str, settings: Settings
    ) -> User:
        ok, _ = await verify_password_off_loop(current, user.password_hash, settings)
        if not ok:
            # 403, not 401: the token is fine, the password is not (the original said 401).
            raise Forbidden("Current password is incorrect")
        await self._set_password(session, user, new, settings)
        user.updated_at = utcnow()
        await session.flush()
        await emit(
            session, UserUpdated(user_id=user.id, email=user.email, updated_at=user.updated_at)
        )
        return user

    async def delete(self, session: AsyncSession, user: User) -> None:
        now = utcnow()
        user.deleted_at = now
        user.token_version += 1
        await repository.end_roles_of(session, user.id, at=now)
        await session.flush()
        await emit(session, UserDeleted(user_id=user.id, deleted_at=now))
        await revoke_user_sessions(session, user.id, "account deleted")

    async def set_disabled(self, session: AsyncSession, user: User, *, disabled: bool) -> User:
        """A disabled account cannot log in; its tokens stop working and its sockets close."""
        if disabled and user.disabled_at is None:
            user.disabled_at = utcnow()
            user.token_version += 1
            await revoke_user_sessions(session, user.id, "account disabled")
        elif not disabled:
            user.disabled_at = None
        await session.flush()
        return user


user = UserService()
