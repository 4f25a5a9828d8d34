from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.schemas import Message, QueryText
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.role.schemas import RoleAssign, RoleAssigned, RoleOut, ShareOut, ShareRequest
from owlistic.role.service import role as role_service

router = APIRouter(tags=["sharing"])


@router.get("/roles", response_model=list[RoleOut], responses=errors(401, 422))
async def list_roles(
    user: CurrentUser,
    session: ReadSession,
    user_id: str | None = None,
    resource_id: str | None = None,
    resource_type: QueryText = None,
    role: QueryText = None,
) -> list[RoleOut]:
    """Roles on resources the caller owns, and the caller's own roles."""
    ids = {"user_id": user_id, "resource_id": resource_id}
    filters: dict[str, str | uuid.UUID | None] = {"resource_type": resource_type, "role": role}
    for key, value in ids.items():
        if value:
            if not _is_uuid(value):
                return []  # no row has a malformed id
            filters[key] = uuid.UUID(value)
    rows = await role_service.list_visible(session, user.id, filters=filters)
    return [RoleOut.model_validate(r) for r in rows]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@router.post("/roles", response_model=RoleAssigned, responses=errors(400, 401, 403, 404, 422))
async def assign_role(body: RoleAssign, user: CurrentUser, session: WriteSession) -> RoleAssigned:
    """Only the owner of a note or notebook can grant viewer or editor on it."""
    target = await role_service.target_user(
        session, user_id=body.user_id, email=str(body.email) if body.email else None
    )
    row = await role_service.assign(
        session,
        user.id,
        target=target,
        resource_type=body.resource_type,
        resource_id=body.resource_id,
        role=body.role,
    )
    return RoleAssigned(
        message="Role assigned successfully",
        id=row.id,
        user_id=row.user_id,
        resource_id=row.resource_id,
        resource_type=row.resource_type,
        role=row.role,
    )


@router.delete("/roles/{role_id}", response_model=Message, responses=errors(401, 403, 404, 422))
async def remove_role(role_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> Message:
    await role_service.revoke(session, user.id, await role_service.live_role(session, role_id))
    return Message(message="Role removed successfully")


@router.get(
    "/notebooks/{notebook_id}/shares",
    response_model=list[ShareOut],
    responses=errors(401, 403, 404, 422),
)
async def list_shares(
    notebook_id: uuid.UUID, user: CurrentUser, session: ReadSession
) -> list[ShareOut]:
    rows = await role_service.shares(session, user.id, notebook_id)
    return [
        ShareOut(
            user_id=u.id,
            email=u.email,
            username=u.username,
            display_name=u.display_name,
            role=r.role,
        )
        for u, r in rows
    ]


@router.put(
    "/notebooks/{notebook_id}/shares",
    response_model=ShareOut,
    responses=errors(400, 401, 403, 404, 422),
)
async def share_notebook(
    notebook_id: uuid.UUID, body: ShareRequest, user: CurrentUser, session: WriteSession
) -> ShareOut:
    """Share with the user who has this email, as viewer or editor (replaces their role)."""
    target = await role_service.target_user(session, user_id=None, email=str(body.email))
    row = await role_service.assign(
        session,
        user.id,
        target=target,
        resource_type="notebook",
        resource_id=notebook_id,
        role=body.role,
    )
    return ShareOut(
        user_id=target.id,
        email=target.email,
        username=target.username,
        display_name=target.display_name,
        role=row.role,
    )


@router.delete(
    "/notebooks/{notebook_id}/shares/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 422),
)
async def unshare_notebook(
    notebook_id: uuid.UUID, user_id: uuid.UUID, user: CurrentUser, session: WriteSession
) -> Response:
    await role_service.unshare(session, user.id, notebook_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
