"""The authenticated caller of a request (it shares the request's unit of work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.auth.tokens import TokenClaims, decode
from owlistic.kit.errors import Unauthorized
from owlistic.kit.uow import RequestSession
from owlistic.models import RevokedToken, User
from owlistic.runtime import Runtime, RuntimeDep


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("Authentication required")
    parts = header.split(" ")
    if len(parts) != 2 or parts[0] != "Bearer" or not parts[1]:
        raise Unauthorized("Authorization header format must be Bearer {token}")
    return parts[1]


async def authenticate(session: AsyncSession, runtime: Runtime, token: str) -> User:
    claims: TokenClaims = decode(runtime.jwt_secret, token, expected="access")
    # One round trip: the user and whether this token was revoked.
    row = (
        await session.execute(
            select(User, RevokedToken.jti)
            .outerjoin(RevokedToken, RevokedToken.jti == literal(claims.jti or ""))
            .where(User.id == claims.user_id, User.deleted_at.is_(None))
        )
    ).first()
    if row is None or row[0].token_version != claims.version:
        raise Unauthorized("token is no longer valid")
    if row[1] is not None:
        raise Unauthorized("token has been revoked")
    user: User = row[0]
    return user


async def get_current_user(request: Request, session: RequestSession, runtime: RuntimeDep) -> User:
    return await authenticate(session, runtime, bearer_token(request))


CurrentUser = Annotated[User, Depends(get_current_user)]
