from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.auth import repository, tokens
from owlistic.auth.passwords import hash_password_off_loop, verify_password_off_loop
from owlistic.auth.revocation import revoke_login
from owlistic.auth.schemas import Tokens
from owlistic.kit.db import Database
from owlistic.kit.errors import Forbidden, Unauthorized
from owlistic.kit.time import utcnow
from owlistic.models import RevokedFamily, RevokedToken, User
from owlistic.runtime import Runtime
from owlistic.settings import Settings

log = logging.getLogger("owlistic.auth")


class AuthService:
    def issue_pair(self, runtime: Runtime, user: User, *, family: str | None = None) -> Tokens:
        """A new login's tokens, or (``family`` given) the next pair of an existing login."""
        settings = runtime.settings
        family = family or tokens.new_family()
        access = tokens.issue(
            runtime.jwt_secret,
            user_id=user.id,
            email=user.email,
            version=user.token_version,
            kind="access",
            lifetime=timedelta(hours=settings.access_token_hours),
            family=family,
        )
        refresh = tokens.issue(
            runtime.jwt_secret,
            user_id=user.id,
            email=user.email,
            version=user.token_version,
            kind="refresh",
            lifetime=timedelta(days=settings.refresh_token_days),
            family=family,
        )
        return Tokens(
            token=access.token,
            access_token=access.token,
            refresh_token=refresh.token,
            expires_in=settings.access_token_hours * 3600,
        )

    async def _revoke(self, session: AsyncSession, claims: tokens.TokenClaims) -> None:
        if claims.jti and not await repository.is_revoked(session, claims.jti):
            session.add(RevokedToken(jti=claims.jti, expires_at=claims.expires_at))

    def _family_expiry(self, runtime: Runtime) -> timedelta:
        # No token of a family outlives the last refresh token it could have been given.
        return timedelta(days=runtime.settings.refresh_token_days)

    async def end_login(
        self, session: AsyncSession, runtime: Runtime, claims: tokens.TokenClaims, reason: str
    ) -> None:
        """Every token of this login stops working and its sockets close, on every process."""
        if not claims.family:
            await self._revoke(session, claims)  # the original's tokens have no family
        elif not await repository.is_family_revoked(session, claims.family):
            session.add(
                RevokedFamily(
                    family=claims.family, expires_at=utcnow() + self._family_expiry(runtime)
                )
            )
        await revoke_login(session, claims.user_id, claims.session_id, reason)
        await session.flush()

    async def refresh(self, runtime: Runtime, refresh_token: str) -> Tokens:
        """Rotation: each refresh token works once. One that comes back was copied, so the
        whole login ends (committed although this request fails) and the thief's fresh
        tokens die too."""
        claims = tokens.decode(runtime.jwt_secret, refresh_token, expected="refresh")
        try:
            async with runtime.db.session() as session:
                user = await repository.live_by_id(session, claims.user_id)
                if (
                    user is None
                    or user.token_version != claims.version
                    or user.disabled_at is not None
                ):
                    raise Unauthorized("refresh token is no longer valid")
                if await repository.is_family_revoked(session, claims.family):
                    raise Unauthorized("refresh token has been revoked")
                reused = await repository.is_revoked(session, claims.jti)
                if not reused:
                    await self._revoke(session, claims)
                    await session.flush()
                    return self.issue_pair(runtime, user, family=claims.family or None)
        except IntegrityError:
            pass  # a concurrent refresh with the same token rotated it first: reuse too
        async with runtime.db.session() as session:
            await self.end_login(session, runtime, claims, "refresh token reused")
        raise Unauthorized("refresh token has been revoked")

    async def logout(
        self,
        session: AsyncSession,
        runtime: Runtime,
        access_token: str,
        refresh_token: str | None,
    ) -> None:
        await self.end_login(
            session,
            runtime,
            tokens.decode(runtime.jwt_secret, access_token, expected="access"),
            "logged out",
        )
        if refresh_token:
            await self._revoke(
                session, tokens.decode(runtime.jwt_secret, refresh_token, expected="refresh")
            )
        await session.flush()

    async def prune(self, db: Database) -> int:
        """Forgets revocations of tokens that have expired anyway (run periodically)."""
        async with db.session() as session:
            pruned = await repository.prune_revocations(session, before=utcnow())
        if pruned:
            log.info("pruned %d expired token revocations", pruned)
        return pruned

    async def store_password_hash(
        self, session: AsyncSession, user_id: uuid.UUID, password_hash: str
    ) -> None:
        await repository.store_password_hash(session, user_id, password_hash)

    async def verify_login(
        self, session: AsyncSession, email: str, password: str, settings: Settings
    ) -> tuple[User, str | None]:
        """The user, and a re-hash to store when their hash uses a superseded scheme or
        cost."""
        user = await repository.live_by_email(session, email)
        if user is None:
            # The same cost either way: no account-existence timing oracle.
            await hash_password_off_loop(password, settings)
            raise Unauthorized("Invalid credentials")
        ok, new_hash = await verify_password_off_loop(password, user.password_hash, settings)
        if not ok:
            raise Unauthorized("Invalid credentials")
        if user.disabled_at is not None:
            raise Forbidden("this account is disabled")
        return user, new_hash


auth = AuthService()
