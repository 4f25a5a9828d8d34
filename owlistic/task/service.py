from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import check_note, note_for
from owlistic.block import repository as blocks
from owlistic.block.events import BlockCreated, BlockUpdated
from owlistic.events.outbox import emit
from owlistic.kit.errors import Conflict, NotFound
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Task
from owlistic.task import repository, sync
from owlistic.task.events import TaskCreated, TaskDeleted, task_updated
from owlistic.task.schemas import TaskCreate, TaskUpdate

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
    ) -> list[Task]:
        return await repository.readable(
            session, user_id, completed=completed, note_id=note_id, block_id=block_id
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

    async def create(self, session: AsyncSession, user_id: uuid.UUID, body: TaskCreate) -> Task:
        task = Task(
            id=uuid.uuid4(),
            user_id=user_id,
            title=body.title,
            description=body.description,
            is_completed=body.is_completed,
            due_date=body.due_date,
            meta={},
        )
        if body.block_id is not None:
            block = await blocks.live_block(session, body.block_id)
            if block is None:
                raise NotFound("Block not found")
            note, _ = await note_for(
                session, user_id, block.note_id, Rank.EDITOR, verb="add tasks to"
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
                session, user_id, body.note_id, Rank.EDITOR, verb="add tasks to"
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
        await emit(session, TaskCreated.of(task))
        return task

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID, body: TaskUpdate
    ) -> Task:
        task, _, block = await self._access(session, user_id, task_id, Rank.EDITOR, "update")
        was_completed = task.is_completed
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
        if "due_date" in fields:
            task.due_date = body.due_date or ""
        task.updated_at = utcnow()
        await session.flush()
        await sync.task_to_block(session, task, block)
        await emit(session, task_updated(task, was_completed=was_completed))
        return task

    async def delete(self, session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID) -> None:
        task, _, block = await self._access(session, user_id, task_id, Rank.EDITOR, "delete")
        task.stamp(utcnow(), uuid.uuid4())
        await session.flush()
        await sync.task_deleted(session, task, block)
        await emit(session, TaskDeleted.of(task))


task = TaskService()
