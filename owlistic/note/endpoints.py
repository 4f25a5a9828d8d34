from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import RawJSON, errors
from owlistic.kit.schemas import QueryText
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.note.schemas import NoteCreate, NoteOut, NotesImport, NotesImported, NoteUpdate
from owlistic.note.service import note as note_service
from owlistic.note.tags import TagFilter

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("", response_model=list[NoteOut], responses=errors(400, 401, 422))
async def list_notes(
    user: CurrentUser,
    session: ReadSession,
    notebook_id: uuid.UUID | None = None,
    title: QueryText = None,
    tag: TagFilter = None,
) -> Response:
    """Notes the caller may read (own and shared), pinned first, then newest first, each
    with its blocks. ``tag`` keeps notes with that tag or one nested under it."""
    notes = await note_service.list_readable(
        session, user.id, notebook_id=notebook_id, title=title, tag=tag
    )
    return RawJSON(notes)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteOut,
    responses=errors(401, 403, 404, 422),
)
async def create_note(body: NoteCreate, user: CurrentUser, session: WriteSession) -> NoteOut:
    note, blocks = await note_service.create(session, user.id, body)
    return NoteOut.of(note, blocks, "owner")


# Not under /notes: PUT or DELETE on it must be 405, not a note id that fails to parse.
IMPORT_PATH = "/api/v1/import/notes"
import_router = APIRouter(prefix="/import", tags=["notes"])


@import_router.post(
    "/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=NotesImported,
    responses=errors(401, 403, 404, 413, 422),
)
async def import_notes(
    body: NotesImport, user: CurrentUser, session: WriteSession
) -> NotesImported:
    """Creates many notes with their blocks in one transaction (the web app's Markdown
    import sends its files in batches). At most ``import_max_notes`` notes and
    ``import_max_blocks`` blocks per request, bodies up to ``import_max_bytes``; more is 413."""
    created = await note_service.import_many(session, user.id, body)
    return NotesImported(notes=[NoteOut.of(note, blocks, "owner") for note, blocks in created])


@router.get("/{note_id}", response_model=NoteOut, responses=errors(401, 404, 422))
async def get_note(note_id: uuid.UUID, user: CurrentUser, session: ReadSession) -> Response:
    return RawJSON(await note_service.get(session, user.id, note_id))


@router.put("/{note_id}", response_model=NoteOut, responses=errors(401, 403, 404, 422))
async def update_note(
    note_id: uuid.UUID, body: NoteUpdate, user: CurrentUser, session: WriteSession
) -> NoteOut:
    """Renames, retags, pins and/or moves the note (``notebook_id``) to another writable
    notebook. ``tags`` replaces the note's tags."""
    note, blocks, rank = await note_service.update(session, user.id, note_id, body)
    return NoteOut.of(note, blocks, rank.role_name)


@router.delete(
    "/{note_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 422)
)
async def delete_note(note_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> Response:
    await note_service.trash(session, user.id, note_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
