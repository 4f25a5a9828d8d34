from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.auth import tokens
from owlistic.auth.revocation import revoke_login
from owlistic.auth.schemas import Tokens
from owlistic.kit.errors import Unauthorized
from owlistic.kit.time import utcnow
from owlistic.models import RevokedFamily, RevokedToken, User
from owlistic.runtime import Runtime
from owlistic.user import repository


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
        if claims.jti and await session.get(RevokedToken, claims.jti) is None:
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
        elif await session.get(RevokedFamily, claims.family) is None:
            session.add(
                RevokedFamily(
                    family=claims.family, expires_at=utcnow() + self._family_expiry(runtime)
                )
            )
        revoke_login(session, claims.user_id, claims.session_id, reason)
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
                ended = await session.get(RevokedFamily, claims.family or "-")
                if ended is not None:
                    raise Unauthorized("refresh token has been revoked")
                reused = await session.get(RevokedToken, claims.jti) is not None
                if not reused:
                    await self._revoke(session, claims)
                    await session.flush()
                    return self.issue_pair(runtime, user, family=claims.family or None)
        except IntegrityError:
            pass  # a concurrent refresh with the same token rotated it first: reuse too
        async with runtime.db.session() as session:
            await self.end_login(session, runtime, claims, "refresh token reused")
        runtime.outbox_committed()
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

    async def prune_revoked(self, session: AsyncSession) -> int:
        now = utcnow()
        tokens_ = await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
        families = await session.execute(
            delete(RevokedFamily).where(RevokedFamily.expires_at < now)
        )
        return sum(int(getattr(r, "rowcount", 0) or 0) for r in (tokens_, families))


auth = AuthService()
