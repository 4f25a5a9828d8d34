from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.errors import BadRequest
from owlistic.kit.responses import errors
from owlistic.kit.schemas import Message
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.note.schemas import NoteOut
from owlistic.notebook.schemas import NotebookOut
from owlistic.trash.service import ItemType
from owlistic.trash.service import trash as trash_service

router = APIRouter(prefix="/trash", tags=["trash"])


class TrashContents(BaseModel):
    notes: list[NoteOut]
    notebooks: list[NotebookOut]


class TrashAction(BaseModel):
    message: str
    type: str
    id: uuid.UUID


def _kind(value: str) -> ItemType:
    if value not in ("note", "notebook"):
        raise BadRequest("Unsupported item type. Must be 'note' or 'notebook'")
    return "note" if value == "note" else "notebook"


@router.get("", response_model=TrashContents, responses=errors(401))
async def list_trash(user: CurrentUser, session: ReadSession) -> TrashContents:
    notes, notebooks = await trash_service.contents(session, user.id)
    return TrashContents(
        notes=[NoteOut.of(n, None) for n in notes],
        notebooks=[NotebookOut.of(nb) for nb in notebooks],
    )


@router.post(
    "/restore/{item_type}/{item_id}",
    response_model=TrashAction,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def restore_item(
    item_type: str,
    item_id: uuid.UUID,
    user: CurrentUser,
    session: WriteSession,
    _body: dict[str, Any] | None = None,
) -> TrashAction:
    """Restores the item with exactly what was trashed together with it."""
    await trash_service.restore(session, user.id, _kind(item_type), item_id)
    return TrashAction(message="Item restored successfully", type=item_type, id=item_id)


@router.delete(
    "/{item_type}/{item_id}", response_model=TrashAction, responses=errors(400, 401, 403, 404, 422)
)
async def delete_item(
    item_type: str, item_id: uuid.UUID, user: CurrentUser, session: WriteSession
) -> TrashAction:
    await trash_service.purge(session, user.id, _kind(item_type), item_id)
    return TrashAction(message="Item permanently deleted", type=item_type, id=item_id)


@router.delete("", response_model=Message, responses=errors(401))
async def empty_trash(user: CurrentUser, session: WriteSession) -> Message:
    await trash_service.empty(session, user.id)
    return Message(message="Trash emptied successfully")
