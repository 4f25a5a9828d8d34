from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response, status

from owlistic.access.service import is_admin
from owlistic.auth import limits
from owlistic.auth import repository as identities
from owlistic.auth.dependencies import AdminUser, CurrentUser
from owlistic.auth.passwords import check_password_policy
from owlistic.auth.service import auth
from owlistic.kit.errors import Forbidden, NotFound
from owlistic.kit.responses import errors
from owlistic.kit.schemas import QueryText
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.runtime import RuntimeDep
from owlistic.user import repository
from owlistic.user.schemas import (
    AdminUserOut,
    PasswordChange,
    PasswordChanged,
    Register,
    UserOut,
    UserPublic,
    UserUpdate,
)
from owlistic.user.service import user as user_service

router = APIRouter(prefix="/users", tags=["users"])
admin_router = APIRouter(prefix="/admin/users", tags=["admin"])
# Registration and the caller's own profile, at the API root (the original client's paths).
account_router = APIRouter(tags=["auth"])

FULL_FIELDS = (
    "id",
    "username",
    "display_name",
    "profile_pic",
    "email",
    "created_at",
    "updated_at",
    "preferences",
    "time_zone",
    "email_reminders",
)
PUBLIC_FIELDS = ("id", "username", "display_name", "profile_pic")


def _pick(data: dict[str, Any], fields: str | None, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not fields:
        return data
    wanted = {f.strip() for f in fields.split(",")}
    return {k: v for k, v in data.items() if k in wanted and k in allowed}


@router.get("", responses=errors(401, 422), response_model=list[dict[str, Any]])
async def list_users(
    user: CurrentUser,
    session: ReadSession,
    email: QueryText = None,
    username: QueryText = None,
    fields: str | None = None,
) -> list[dict[str, Any]]:
    """Admins see every user; anyone else sees only their own account."""
    only = None if await is_admin(session, user.id) else user.id
    users = await repository.list_live(session, email=email, username=username, only=only)
    return [
        _pick(UserOut.model_validate(u).model_dump(mode="json"), fields, FULL_FIELDS) for u in users
    ]


@router.get("/{user_id}", responses=errors(401, 404, 422), response_model=dict[str, Any])
async def get_user(
    user_id: uuid.UUID, user: CurrentUser, session: ReadSession, fields: str | None = None
) -> dict[str, Any]:
    if user_id == user.id:
        return UserOut.model_validate(user).model_dump(mode="json")
    other = await identities.live_by_id(session, user_id)
    if other is None:
        raise NotFound("User not found")
    if await is_admin(session, user.id):
        return UserOut.model_validate(other).model_dump(mode="json")
    return _pick(UserPublic.model_validate(other).model_dump(mode="json"), fields, PUBLIC_FIELDS)


@router.put("/{user_id}", response_model=UserOut, responses=errors(401, 403, 404, 409, 422))
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    user: CurrentUser,
    session: WriteSession,
    runtime: RuntimeDep,
) -> UserOut:
    target = await user_service.target(session, user, user_id, "update")
    if body.password is not None:
        check_password_policy(body.password, runtime.settings)
    return UserOut.model_validate(
        await user_service.update(session, user, target, body, runtime.settings)
    )


@router.delete(
    "/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 422)
)
async def delete_user(user_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> Response:
    target = await user_service.target(session, user, user_id, "delete")
    await user_service.delete(session, target)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/{user_id}/password", response_model=PasswordChanged, responses=errors(401, 403, 422, 429)
)
async def change_password(
    _: Annotated[None, limits.limited("password", account_param="user_id")],
    user_id: uuid.UUID,
    body: PasswordChange,
    user: CurrentUser,
    session: WriteSession,
    runtime: RuntimeDep,
) -> PasswordChanged:
    """Other sessions end; the response carries a fresh token for this one."""
    if user_id != user.id:
        raise Forbidden("You can only update your own password")
    check_password_policy(body.new_password, runtime.settings)
    await user_service.change_password(
        session,
        user,
        current=body.current_password,
        new=body.new_password,
        settings=runtime.settings,
    )
    return PasswordChanged(
        message="Password updated successfully", token=auth.issue_pair(runtime, user).token
    )


async def _set_disabled(
    user_id: uuid.UUID, session: WriteSession, admin: AdminUser, *, disabled: bool
) -> AdminUserOut:
    if user_id == admin.id:
        raise Forbidden("an admin cannot disable their own account")
    target = await identities.live_by_id(session, user_id)
    if target is None:
        raise NotFound("User not found")
    return AdminUserOut.model_validate(
        await user_service.set_disabled(session, target, disabled=disabled)
    )


@admin_router.post(
    "/{user_id}/disable", response_model=AdminUserOut, responses=errors(401, 403, 404, 422)
)
async def disable_user(user_id: uuid.UUID, session: WriteSession, admin: AdminUser) -> AdminUserOut:
    """Admins only: the account can no longer log in; its sessions and sockets end now."""
    return await _set_disabled(user_id, session, admin, disabled=True)


@admin_router.post(
    "/{user_id}/enable", response_model=AdminUserOut, responses=errors(401, 403, 404, 422)
)
async def enable_user(user_id: uuid.UUID, session: WriteSession, admin: AdminUser) -> AdminUserOut:
    """Admins only: the account can log in again."""
    return await _set_disabled(user_id, session, admin, disabled=False)


@account_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=errors(403, 409, 422, 429),
)
async def register(
    _: Annotated[None, limits.limited("register")],
    body: Register,
    session: WriteSession,
    runtime: RuntimeDep,
) -> UserOut:
    if not runtime.settings.registration_open:
        raise Forbidden("registration is closed on this server")
    check_password_policy(body.password, runtime.settings)
    user = await user_service.register(
        session,
        email=str(body.email),
        password=body.password,
        settings=runtime.settings,
        username=body.username,
        display_name=body.display_name,
        profile_pic=body.profile_pic,
        preferences=body.preferences,
    )
    return UserOut.model_validate(user)


@account_router.get("/profile", response_model=UserOut, responses=errors(401))
async def get_profile(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@account_router.put("/profile", response_model=UserOut, responses=errors(401, 403, 409, 422))
async def update_profile(
    body: UserUpdate, user: CurrentUser, session: WriteSession, runtime: RuntimeDep
) -> UserOut:
    if body.password is not None:
        check_password_policy(body.password, runtime.settings)
    return UserOut.model_validate(
        await user_service.update(session, user, user, body, runtime.settings)
    )
