from __future__ import annotations

from fastapi import APIRouter, Request, status

from owlistic.auth.dependencies import CurrentUser, bearer_token
from owlistic.auth.schemas import Login, LogoutRequest, RefreshRequest, Register, Tokens
from owlistic.auth.service import auth
from owlistic.kit.errors import Forbidden
from owlistic.kit.responses import errors
from owlistic.kit.schemas import Message
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.runtime import RuntimeDep
from owlistic.user.schemas import UserOut, UserUpdate
from owlistic.user.service import user as user_service

router = APIRouter(tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=errors(403, 409, 422),
)
async def register(body: Register, session: WriteSession, runtime: RuntimeDep) -> UserOut:
    if not runtime.settings.registration_open:
        raise Forbidden("registration is closed on this server")
    user = await user_service.register(
        session,
        email=str(body.email),
        password=body.password,
        username=body.username,
        display_name=body.display_name,
        profile_pic=body.profile_pic,
        preferences=body.preferences,
    )
    return UserOut.model_validate(user)


@router.post("/login", response_model=Tokens, responses=errors(401, 422))
async def login(body: Login, session: ReadSession, runtime: RuntimeDep) -> Tokens:
    # Verifying a password is slow on purpose: do it without holding a write transaction.
    user, upgraded_hash = await user_service.verify_login(session, body.email, body.password)
    if upgraded_hash:
        async with runtime.db.session() as write:
            await user_service.store_password_hash(write, user.id, upgraded_hash)
    return auth.issue_pair(runtime, user)


@router.post("/refresh", response_model=Tokens, responses=errors(401, 422))
async def refresh(body: RefreshRequest, session: WriteSession, runtime: RuntimeDep) -> Tokens:
    return await auth.refresh(session, runtime, body.refresh_token)


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


@router.get("/profile", response_model=UserOut, responses=errors(401))
async def get_profile(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.put("/profile", response_model=UserOut, responses=errors(401, 403, 409, 422))
async def update_profile(body: UserUpdate, user: CurrentUser, session: WriteSession) -> UserOut:
    return UserOut.model_validate(await user_service.update(session, user, user, body))
