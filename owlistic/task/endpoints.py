from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.schemas import TimeZoneName
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.task.schemas import CompletionOut, Snooze, TaskCreate, TaskOut, TaskUpdate
from owlistic.task.service import task as task_service
from owlistic.task.views import DueView

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
    due: DueView | None = None,
    tz: Annotated[TimeZoneName | None, Query(description="default: the profile's")] = None,
) -> list[TaskOut]:
    """Tasks in notes the caller may read, plus their own tasks outside any note.

    ``due`` picks a section (``overdue``, ``today``, ``upcoming``, ``none``), sorted by due
    time; "today" is the day in ``tz`` (or the profile's time zone, else UTC)."""
    time_zone = tz or user.time_zone or "UTC"
    tasks = await task_service.list(
        session,
        user.id,
        completed=_completed_filter(is_completed, completed),
        note_id=note_id,
        block_id=block_id,
        due=due,
        time_zone=time_zone,
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
    return TaskOut.of(await task_service.create(session, user, body))


@router.get("/{task_id}", response_model=TaskOut, responses=errors(401, 404, 422))
async def get_task(task_id: uuid.UUID, user: CurrentUser, session: ReadSession) -> TaskOut:
    return TaskOut.of(await task_service.get(session, user.id, task_id))


@router.put("/{task_id}", response_model=TaskOut, responses=errors(401, 403, 404, 409, 422))
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


@router.post("/{task_id}/skip", response_model=TaskOut, responses=errors(401, 403, 404, 409, 422))
async def skip_occurrence(task_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> TaskOut:
    """A recurring task moves to its next occurrence; this one is recorded as skipped."""
    return TaskOut.of(await task_service.skip(session, user.id, task_id))


@router.post("/{task_id}/end-series", response_model=TaskOut, responses=errors(401, 403, 404, 422))
async def end_series(task_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> TaskOut:
    """The task stops repeating and keeps its current due time."""
    return TaskOut.of(await task_service.end_series(session, user.id, task_id))


@router.post("/{task_id}/snooze", response_model=TaskOut, responses=errors(401, 404, 409, 422))
async def snooze(
    task_id: uuid.UUID, body: Snooze, user: CurrentUser, session: WriteSession
) -> TaskOut:
    """Remind again in ``minutes`` or at ``until`` (replaces the pending reminder)."""
    return TaskOut.of(await task_service.snooze(session, user.id, task_id, body))


@router.get(
    "/{task_id}/completions", response_model=list[CompletionOut], responses=errors(401, 404, 422)
)
async def completions(
    task_id: uuid.UUID, user: CurrentUser, session: ReadSession
) -> list[CompletionOut]:
    """The done (or skipped) occurrences of a recurring task, oldest first."""
    done = await task_service.completions(session, user.id, task_id)
    return [CompletionOut.model_validate(c) for c in done]
