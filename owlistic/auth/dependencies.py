"""The authenticated caller of a request (it shares the request's unit of work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.auth import repository
from owlistic.auth.tokens import TokenClaims, decode
from owlistic.kit.errors import Unauthorized
from owlistic.kit.uow import RequestSession
from owlistic.models import User
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
    found = await repository.token_holder(session, claims.user_id, claims.jti or "")
    if found is None or found[0].token_version != claims.version:
        raise Unauthorized("token is no longer valid")
    user, revoked = found
    if revoked:
        raise Unauthorized("token has been revoked")
    return user


async def get_current_user(request: Request, session: RequestSession, runtime: RuntimeDep) -> User:
    return await authenticate(session, runtime, bearer_token(request))


CurrentUser = Annotated[User, Depends(get_current_user)]
