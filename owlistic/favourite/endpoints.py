from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.favourite.service import favourite as favourite_service
from owlistic.kit.responses import errors
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.note.schemas import NoteOut

router = APIRouter(prefix="/favourites", tags=["favourites"])


@router.get("", response_model=list[NoteOut], responses=errors(401))
async def list_favourites(user: CurrentUser, session: ReadSession) -> list[NoteOut]:
    """The caller's starred notes (without blocks), most recently starred first."""
    return [NoteOut.of(n, None) for n in await favourite_service.list(session, user.id)]


@router.put("/{note_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 404, 422))
async def add_favourite(note_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> Response:
    await favourite_service.add(session, user.id, note_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{note_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 404, 422)
)
async def remove_favourite(
    note_id: uuid.UUID, user: CurrentUser, session: WriteSession
) -> Response:
    await favourite_service.remove(session, user.id, note_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
