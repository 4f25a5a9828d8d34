from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from owlistic.access.roles import Rank
from owlistic.access.service import notebook_for
from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.schemas import QueryText
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.notebook.schemas import NotebookCreate, NotebookOut, NotebookUpdate
from owlistic.notebook.service import notebook as notebook_service

router = APIRouter(prefix="/notebooks", tags=["notebooks"])


@router.get("", response_model=list[NotebookOut], responses=errors(401, 422))
async def list_notebooks(
    user: CurrentUser, session: ReadSession, name: QueryText = None
) -> list[NotebookOut]:
    """The caller's notebooks and those shared with them (``role`` says which)."""
    rows = await notebook_service.list_readable(session, user.id, name=name)
    return [NotebookOut.of(nb, role) for nb, role in rows]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=NotebookOut, responses=errors(401, 422)
)
async def create_notebook(
    body: NotebookCreate, user: CurrentUser, session: WriteSession
) -> NotebookOut:
    return NotebookOut.of(await notebook_service.create(session, user.id, body), "owner")


@router.get("/{notebook_id}", response_model=NotebookOut, responses=errors(401, 404, 422))
async def get_notebook(
    notebook_id: uuid.UUID, user: CurrentUser, session: ReadSession
) -> NotebookOut:
    notebook, rank = await notebook_for(session, user.id, notebook_id, Rank.VIEWER)
    return NotebookOut.of(notebook, rank.role_name)


@router.put("/{notebook_id}", response_model=NotebookOut, responses=errors(401, 403, 404, 422))
async def update_notebook(
    notebook_id: uuid.UUID, body: NotebookUpdate, user: CurrentUser, session: WriteSession
) -> NotebookOut:
    notebook, rank = await notebook_service.update(session, user.id, notebook_id, body)
    return NotebookOut.of(notebook, rank.role_name)


@router.delete(
    "/{notebook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 422)
)
async def delete_notebook(
    notebook_id: uuid.UUID, user: CurrentUser, session: WriteSession
) -> Response:
    """Moves the notebook, its notes, their blocks and tasks to the trash."""
    await notebook_service.trash(session, user.id, notebook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
