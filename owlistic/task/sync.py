"""A task block and its task are one item seen two ways.

Sync runs inside the writing transaction, so both sides commit together and no event is
ever consumed to derive another: there is no echo loop to guard and a re-delivered event
cannot create a duplicate.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block import links
from owlistic.block.events import BlockDeleted, BlockUpdated
from owlistic.events.outbox import emit
from owlistic.kit.time import utcnow
from owlistic.models import Block, Task
from owlistic.task.events import TaskCompleted, TaskCreated, TaskDeleted, task_updated
from owlistic.task.planning import complete_occurrence

TASK_TYPE = "task"


def block_text(block: Block) -> str:
    text = block.content.get("text") if isinstance(block.content, dict) else None
    return text if isinstance(text, str) else ""


def block_completed(block: Block) -> bool:
    return block.meta.get("is_completed") is True


def _link(block: Block, task: Task) -> None:
    block.meta = {**block.meta, "task_id": str(task.id)}
    task.meta = {**task.meta, "block_id": str(block.id), "note_id": str(block.note_id)}


async def block_to_task(session: AsyncSession, block: Block, task: Task | None) -> None:
    """After a block was created or changed: create, update or delete its ``task`` (the
    live task linked to it, as ``task/repository.py: linked_to`` finds it; callers load it
    with the block)."""
    if block.type != TASK_TYPE:
        if task is not None:
            await _delete_task(session, task, utcnow(), None)
            block.meta = {k: v for k, v in block.meta.items() if k != "task_id"}
        return
    if task is None:
        task = Task(
            id=uuid.uuid4(),
            user_id=block.user_id,
            note_id=block.note_id,
            block_id=block.id,
            title=block_text(block),
            is_completed=block_completed(block),
            meta={},
        )
        _link(block, task)
        session.add(task)
        await session.flush()
        await emit(session, TaskCreated.of(task))
        return
    if "task_id" not in block.meta:
        _link(block, task)
    title, done = block_text(block), block_completed(block)
    if (task.title, task.is_completed) != (title, done):
        was_completed = task.is_completed
        task.title, task.is_completed = title, done
        task.updated_at = utcnow()
        await session.flush()
        # Ticking a repeating item off moves it to its next occurrence, unticked again.
        if done and not was_completed and await complete_occurrence(session, task, block.user_id):
            block.meta = {**block.meta, "is_completed": False}
            await emit(session, TaskCompleted.of(task))
        else:
            await emit(session, task_updated(task, was_completed=was_completed))


async def _delete_task(
    session: AsyncSession,
    task: Task,
    now: datetime,
    batch: uuid.UUID | None,
) -> None:
    task.stamp(now, batch)
    await session.flush()
    await emit(session, TaskDeleted.of(task))


async def block_deleted(session: AsyncSession, block: Block, task: Task | None) -> None:
    """After a block was trashed: trash its linked ``task`` with it."""
    if task is not None:
        await _delete_task(session, task, block.deleted_at or utcnow(), block.deleted_batch)


class TaskBlockSync:
    """The task side of ``block/links.py``."""

    async def block_written(self, session: AsyncSession, block: Block, task: Task | None) -> None:
        await block_to_task(session, block, task)

    async def block_deleted(self, session: AsyncSession, block: Block, task: Task | None) -> None:
        await block_deleted(session, block, task)


def install() -> None:
    """Called by ``create_app``: block writes then keep their tasks in step."""
    links.install(TaskBlockSync())


def new_task_block(task: Task, note_id: uuid.UUID, order: float) -> Block:
    block = Block(
        id=uuid.uuid4(),
        user_id=task.user_id,
        note_id=note_id,
        type=TASK_TYPE,
        content={"text": task.title},
        meta={"is_completed": task.is_completed},
        order=order,
    )
    _link(block, task)
    return block


def convert_to_task_block(block: Block, task: Task) -> None:
    block.type = TASK_TYPE
    block.content = {**block.content, "text": task.title}
    block.meta = {**block.meta, "is_completed": task.is_completed}
    _link(block, task)


async def task_to_block(session: AsyncSession, task: Task, block: Block | None) -> None:
    """After a task's title or completion changed: mirror it into its live ``block``."""
    if block is None or (block_text(block), block_completed(block)) == (
        task.title,
        task.is_completed,
    ):
        return
    block.content = {**block.content, "text": task.title}
    block.meta = {**block.meta, "is_completed": task.is_completed}
    block.updated_at = utcnow()
    await session.flush()
    await emit(session, BlockUpdated.of(block))


async def task_deleted(session: AsyncSession, task: Task, block: Block | None) -> None:
    """Deleting the task deletes its live ``block``: the item disappears from both views."""
    if block is not None:
        block.stamp(task.deleted_at or utcnow(), task.deleted_batch)
        await session.flush()
        await emit(session, BlockDeleted.of(block))
