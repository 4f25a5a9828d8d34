from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.auth import repository, tokens
from owlistic.auth.passwords import hash_password_off_loop, verify_password_off_loop
from owlistic.auth.schemas import Tokens
from owlistic.kit.db import Database
from owlistic.kit.errors import Unauthorized
from owlistic.kit.time import utcnow
from owlistic.models import RevokedToken, User
from owlistic.runtime import Runtime

log = logging.getLogger("owlistic.auth")


class AuthService:
    def issue_pair(self, runtime: Runtime, user: User) -> Tokens:
        settings = runtime.settings
        access = tokens.issue(
            runtime.jwt_secret,
            user_id=user.id,
            email=user.email,
            version=user.token_version,
            kind="access",
            lifetime=timedelta(hours=settings.access_token_hours),
        )
        refresh = tokens.issue(
            runtime.jwt_secret,
            user_id=user.id,
            email=user.email,
            version=user.token_version,
            kind="refresh",
            lifetime=timedelta(days=settings.refresh_token_days),
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

    async def refresh(self, session: AsyncSession, runtime: Runtime, refresh_token: str) -> Tokens:
        claims = tokens.decode(runtime.jwt_secret, refresh_token, expected="refresh")
        user = await repository.live_by_id(session, claims.user_id)
        if user is None or user.token_version != claims.version:
            raise Unauthorized("refresh token is no longer valid")
        if await repository.is_revoked(session, claims.jti):
            raise Unauthorized("refresh token has been revoked")
        await self._revoke(session, claims)  # rotation: each refresh token works once
        return self.issue_pair(runtime, user)

    async def logout(
        self,
        session: AsyncSession,
        runtime: Runtime,
        access_token: str,
        refresh_token: str | None,
    ) -> None:
        await self._revoke(
            session, tokens.decode(runtime.jwt_secret, access_token, expected="access")
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
        self, session: AsyncSession, email: str, password: str
    ) -> tuple[User, str | None]:
        """The user, and a re-hash to store when their hash uses a superseded scheme."""
        user = await repository.live_by_email(session, email)
        if user is None:
            await hash_password_off_loop(
                password
            )  # same cost either way: no account-existence timing oracle
            raise Unauthorized("Invalid credentials")
        ok, new_hash = await verify_password_off_loop(password, user.password_hash)
        if not ok:
            raise Unauthorized("Invalid credentials")
        return user, new_hash


auth = AuthService()
