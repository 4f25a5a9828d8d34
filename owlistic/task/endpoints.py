from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.task.schemas import TaskCreate, TaskOut, TaskUpdate
from owlistic.task.service import task as task_service

router = APIRouter(prefix="/tasks", tags=["tasks"])


def _completed_filter(is_completed: str | None, completed: str | None) -> bool | None:
    value = is_completed if is_completed is not None else completed
    if value is None or value == "":
        return None
    return value.lower() == "true"


@router.get("", response_model=list[TaskOut], responses=errors(401, 422))
async def list_tasks(
    user: CurrentUser,
    session: ReadSession,
    is_completed: str | None = None,
    completed: str | None = None,
    note_id: uuid.UUID | None = None,
    block_id: uuid.UUID | None = None,
) -> list[TaskOut]:
    """Tasks in notes the caller may read, plus their own tasks outside any note."""
    tasks = await task_service.list(
        session,
        user.id,
        completed=_completed_filter(is_completed, completed),
        note_id=note_id,
        block_id=block_id,
    )
    return [TaskOut.of(t) for t in tasks]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    responses=errors(401, 403, 404, 409, 422),
)
async def create_task(body: TaskCreate, user: CurrentUser, session: WriteSession) -> TaskOut:
    """With ``note_id`` a task block is added at the end of that note; with ``block_id`` that
    block becomes the task's block."""
    return TaskOut.of(await task_service.create(session, user.id, body))


@router.get("/{task_id}", response_model=TaskOut, responses=errors(401, 404, 422))
async def get_task(task_id: uuid.UUID, user: CurrentUser, session: ReadSession) -> TaskOut:
    return TaskOut.of(await task_service.get(session, user.id, task_id))


@router.put("/{task_id}", response_model=TaskOut, responses=errors(401, 403, 404, 422))
async def update_task(
    task_id: uuid.UUID, body: TaskUpdate, user: CurrentUser, session: WriteSession
) -> TaskOut:
    """Only keys present in the body change (``is_completed: false`` is applied)."""
    return TaskOut.of(await task_service.update(session, user.id, task_id, body))


@router.delete(
    "/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 422)
)
async def delete_task(task_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> Response:
    """Deletes the task and its block in the note."""
    await task_service.delete(session, user.id, task_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
