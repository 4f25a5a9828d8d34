from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.auth import tokens
from owlistic.auth.schemas import Tokens
from owlistic.kit.db import Database
from owlistic.kit.errors import Unauthorized
from owlistic.kit.time import utcnow
from owlistic.models import RevokedToken, User
from owlistic.runtime import Runtime
from owlistic.user import repository

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
        if claims.jti and await session.get(RevokedToken, claims.jti) is None:
            session.add(RevokedToken(jti=claims.jti, expires_at=claims.expires_at))

    async def refresh(self, session: AsyncSession, runtime: Runtime, refresh_token: str) -> Tokens:
        claims = tokens.decode(runtime.jwt_secret, refresh_token, expected="refresh")
        user = await repository.live_by_id(session, claims.user_id)
        if user is None or user.token_version != claims.version:
            raise Unauthorized("refresh token is no longer valid")
        if await session.get(RevokedToken, claims.jti) is not None:
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
            result = await session.execute(
                delete(RevokedToken).where(RevokedToken.expires_at < utcnow())
            )
        pruned = int(getattr(result, "rowcount", 0) or 0)
        if pruned:
            log.info("pruned %d expired token revocations", pruned)
        return pruned


auth = AuthService()
