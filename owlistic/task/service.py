from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import check_note, note_for
from owlistic.block import repository as blocks
from owlistic.block.events import BlockCreated, BlockUpdated
from owlistic.events.outbox import emit
from owlistic.kit.errors import Conflict, NotFound, Unprocessable
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Task, TaskCompletion, User
from owlistic.task import planning, reminders, repository, sync
from owlistic.task.events import TaskCompleted, TaskCreated, TaskDeleted, TaskUpdated, task_updated
from owlistic.task.schemas import Snooze, TaskCreate, TaskUpdate
from owlistic.task.views import DueView

# Metadata keys the server owns; a client cannot overwrite them.
RESERVED_METADATA = frozenset({"block_id", "note_id"})


class TaskService:
    async def list(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        completed: bool | None,
        note_id: uuid.UUID | None,
        block_id: uuid.UUID | None,
        due: DueView | None = None,
        time_zone: str = "UTC",
    ) -> list[Task]:
        return await repository.readable(
            session,
            user_id,
            completed=completed,
            note_id=note_id,
            block_id=block_id,
            due=due,
            time_zone=time_zone,
        )

    async def _access(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        task_id: uuid.UUID,
        minimum: Rank,
        verb: str,
    ) -> tuple[Task, Note | None, Block | None]:
        """The task, its live note and its live block, if the caller has ``minimum`` on it;
        one query for all three (plus roles when the caller does not own the note)."""
        row = await repository.live_in_context(session, task_id)
        if row is None:
            raise NotFound("Task not found")
        task, note, notebook_owner, block = row
        if task.note_id is None:
            if task.user_id != user_id:
                raise NotFound("Task not found")
            return task, None, block
        if note is None or notebook_owner is None or note.deleted_at is not None:
            raise NotFound("Task not found")
        try:
            await check_note(
                session, user_id, note, notebook_owner, minimum, verb=f"{verb} task in"
            )
        except NotFound:
            raise NotFound("Task not found") from None
        return task, note, block

    async def get(self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID) -> Task:
        task, _, _ = await self._access(session, user_id, task_id, Rank.VIEWER, "read")
        return task

    async def create(self, session: AsyncSession, user: User, body: TaskCreate) -> Task:
        user_id = user.id
        task = Task(
            id=uuid.uuid4(),
            user_id=user_id,
            title=body.title,
            description=body.description,
            is_completed=body.is_completed,
            time_zone=body.time_zone or user.time_zone or "UTC",
            meta={},
        )
        planning.apply_schedule(task, body, body.model_fields_set)
        if body.block_id is not None:
            block = await blocks.live_block(session, body.block_id)
            if block is None:
                raise NotFound("Block not found")
            note, _ = await note_for(
                session, user_id, block.note_id, Rank.EDITOR, verb="add tasks to", for_events=True
            )
            if await repository.linked_to(session, block.id) is not None:
                raise Conflict("that block already has a task")
            if not body.title:
                task.title = sync.block_text(block)
            task.note_id = note.id
            task.block_id = block.id
            session.add(task)
            sync.convert_to_task_block(block, task)
            block.updated_at = utcnow()
            await session.flush()
            await emit(session, BlockUpdated.of(block))
        elif body.note_id is not None:
            note, _ = await note_for(
                session, user_id, body.note_id, Rank.EDITOR, verb="add tasks to", for_events=True
            )
            task.note_id = note.id
            session.add(task)
            await session.flush()
            block = sync.new_task_block(task, note.id, await blocks.next_order(session, note.id))
            session.add(block)
            await session.flush()
            task.block_id = block.id
            await session.flush()
            await emit(session, BlockCreated.of(block))
        else:
            session.add(task)
            await session.flush()
        await reminders.reschedule(session, task)
        await emit(session, TaskCreated.of(task))
        return task

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID, body: TaskUpdate
    ) -> Task:
        task, _, block = await self._access(session, user_id, task_id, Rank.EDITOR, "update")
        was_completed, text_before = task.is_completed, (task.title, task.description)
        fields = body.model_fields_set
        if body.metadata is not None:
            kept = {k: v for k, v in task.meta.items() if k in RESERVED_METADATA}
            extra = {k: v for k, v in body.metadata.items() if k not in RESERVED_METADATA}
            task.meta = {**extra, **kept}
            # The original client toggles completion only inside metadata.
            if "is_completed" not in fields and isinstance(extra.get("is_completed"), bool):
                task.is_completed = extra["is_completed"]
        if "title" in fields and body.title is not None:
            task.title = body.title
        if "description" in fields and body.description is not None:
            task.description = body.description
        if "is_completed" in fields and body.is_completed is not None:
            task.is_completed = body.is_completed
        planning.apply_schedule(task, body, fields)
        task.updated_at = utcnow()
        await session.flush()
        rolled = task.is_completed and not was_completed
        rolled = rolled and await planning.complete_occurrence(session, task, user_id)
        if not rolled and (task.is_completed != was_completed or fields & planning.SCHEDULE_FIELDS):
            await reminders.reschedule(session, task)
        await sync.task_to_block(session, task, block)
        text_changed = (task.title, task.description) != text_before
        # A repeating task ticked off is reopened at its next occurrence: still a completion.
        await emit(
            session,
            TaskCompleted.of(task, text_changed=text_changed)
            if rolled
            else task_updated(task, was_completed=was_completed, text_changed=text_changed),
        )
        return task

    async def skip(self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID) -> Task:
        """Move a recurring task to its next occurrence without completing this one."""
        task, _, block = await self._access(session, user_id, task_id, Rank.EDITOR, "update")
        if not task.recurrence:
            raise Conflict("only a recurring task can skip an occurrence")
        if not await planning.complete_occurrence(session, task, user_id, skipped=True):
            # The skipped occurrence was the last one: the series is over.
            task.is_completed = True
            task.updated_at = utcnow()
            await session.flush()
            await reminders.reschedule(session, task)
        await sync.task_to_block(session, task, block)
        await emit(session, TaskUpdated.of(task))
        return task

    async def completions(
        self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID
    ) -> Sequence[TaskCompletion]:
        task, _, _ = await self._access(session, user_id, task_id, Rank.VIEWER, "read")
        return await repository.completions(session, task.id)

    async def end_series(
        self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID
    ) -> Task:
        """Stop repeating: the task keeps its current occurrence as a one-off."""
        task, _, _ = await self._access(session, user_id, task_id, Rank.EDITOR, "update")
        task.recurrence, task.series_start = None, None
        task.updated_at = utcnow()
        await session.flush()
        await emit(session, TaskUpdated.of(task))
        return task

    async def snooze(
        self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID, body: Snooze
    ) -> Task:
        task, _, _ = await self._access(session, user_id, task_id, Rank.VIEWER, "read")
        if (body.minutes is None) == (body.until is None):
            raise Unprocessable("give exactly one of minutes or until")
        now = utcnow()
        at = body.until if body.until is not None else now + timedelta(minutes=body.minutes or 0)
        if at <= now:
            raise Conflict("until is in the past")
        await reminders.reschedule(session, task, at=at)
        # Other devices learn the reminder was handled (and the scheduler is woken).
        await emit(session, TaskUpdated.of(task))
        return task

    async def delete(self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID) -> None:
        task, _, block = await self._access(session, user_id, task_id, Rank.EDITOR, "delete")
        task.stamp(utcnow(), uuid.uuid4())
        await session.flush()
        await sync.task_deleted(session, task, block)
        await emit(session, TaskDeleted.of(task))


task = TaskService()
