from __future__ import annotations

from fastapi import APIRouter, Request

from owlistic.auth import limits, tokens
from owlistic.auth.dependencies import CurrentUser, bearer_token
from owlistic.auth.schemas import Login, LogoutRequest, RefreshRequest, Tokens
from owlistic.auth.service import auth
from owlistic.kit.responses import errors
from owlistic.kit.schemas import Message
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.runtime import RuntimeDep

router = APIRouter(tags=["auth"])


@router.post("/login", response_model=Tokens, responses=errors(401, 403, 422, 429))
async def login(request: Request, body: Login, session: ReadSession, runtime: RuntimeDep) -> Tokens:
    await limits.check(request, runtime, "login", body.email)
    # Verifying a password is slow on purpose: do it without holding a write transaction.
    user, upgraded_hash = await auth.verify_login(
        session, body.email, body.password, runtime.settings
    )
    if upgraded_hash:
        async with runtime.db.session() as write:
            await auth.store_password_hash(write, user.id, upgraded_hash)
    return auth.issue_pair(runtime, user)


@router.post("/refresh", response_model=Tokens, responses=errors(401, 422, 429))
async def refresh(request: Request, body: RefreshRequest, runtime: RuntimeDep) -> Tokens:
    """Runs its own transactions: a reused token ends the login even though it fails."""
    await limits.check(request, runtime, "refresh", tokens.unverified_user(body.refresh_token))
    return await auth.refresh(runtime, body.refresh_token)


@router.post("/logout", response_model=Message, responses=errors(401, 422))
async def logout(
    request: Request,
    _user: CurrentUser,
    session: WriteSession,
    runtime: RuntimeDep,
    body: LogoutRequest | None = None,
) -> Message:
    await auth.logout(session, runtime, bearer_token(request), body.refresh_token if body else None)
    return Message(message="Logged out successfully")
