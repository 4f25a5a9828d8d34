"""Request dependencies: the unit of work and the authenticated caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import is_admin
from owlistic.auth.tokens import TokenClaims, decode
from owlistic.events.outbox import PENDING_FLAG
from owlistic.kit.errors import Forbidden, Unauthorized
from owlistic.models import RevokedFamily, RevokedToken, User
from owlistic.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:  # async: no thread-pool hop per request
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request owns the transaction: commit after the endpoint, roll back on error."""
    readonly = request.method in ("GET", "HEAD")
    async with runtime.db.session(readonly=readonly) as session:
        yield session
        emitted = bool(session.info.get(PENDING_FLAG))
    if emitted:
        runtime.outbox_committed()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_read_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """A read-only unit of work for a POST that must not hold SQLite's write lock (login)."""
    async with runtime.db.session(readonly=True) as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("Authentication required")
    parts = header.split(" ")
    if len(parts) != 2 or parts[0] != "Bearer" or not parts[1]:
        raise Unauthorized("Authorization header format must be Bearer {token}")
    return parts[1]


async def authenticate_claims(
    session: AsyncSession, runtime: Runtime, token: str
) -> tuple[User, TokenClaims]:
    """The caller and the claims of their access token (sockets register by its family)."""
    claims: TokenClaims = decode(runtime.jwt_secret, token, expected="access")
    # One round trip: the user, and whether this token or its family was revoked.
    row = (
        await session.execute(
            select(User, RevokedToken.jti, RevokedFamily.family)
            .select_from(User)
            .outerjoin(RevokedToken, RevokedToken.jti == literal(claims.jti or ""))
            .outerjoin(RevokedFamily, RevokedFamily.family == literal(claims.family or ""))
            .where(User.id == claims.user_id, User.deleted_at.is_(None))
        )
    ).first()
    if row is None or row[0].token_version != claims.version:
        raise Unauthorized("token is no longer valid")
    if row[1] is not None or row[2] is not None:
        raise Unauthorized("token has been revoked")
    user: User = row[0]
    if user.disabled_at is not None:
        raise Unauthorized("this account is disabled")
    return user, claims


async def authenticate(session: AsyncSession, runtime: Runtime, token: str) -> User:
    return (await authenticate_claims(session, runtime, token))[0]


async def get_current_user(request: Request, session: SessionDep, runtime: RuntimeDep) -> User:
    return await authenticate(session, runtime, bearer_token(request))


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser, session: SessionDep) -> User:
    if not await is_admin(session, user.id):
        raise Forbidden("admin only")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
