"""A task block and its task are one item seen two ways.

Sync runs inside the writing transaction, so both sides commit together and no event is
ever consumed to derive another: there is no echo loop to guard and a re-delivered event
cannot create a duplicate.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block import links
from owlistic.block.events import BlockDeleted, BlockUpdated
from owlistic.events.outbox import emit
from owlistic.kit.db import Database
from owlistic.kit.time import utcnow
from owlistic.models import Block, Task
from owlistic.task import reminders, repository, schedule
from owlistic.task.events import TaskCompleted, TaskCreated, TaskDeleted, task_updated
from owlistic.task.planning import (
    apply_block_schedule,
    complete_occurrence,
    schedule_meta,
    with_schedule,
)

log = logging.getLogger("owlistic.tasks")

TASK_TYPE = "task"
# Blocks whose row the sync changed beyond what the writer said (a repeating item ticked
# off in a note moves on, unticked): ``session.info[AHEAD][block_id] = block``. The
# collab writer puts them back into the note's document.
AHEAD = "owlistic.task.blocks_ahead"
# Blocks ``mirror_old_schedules`` writes per transaction.
MIRROR_BATCH = 200


def block_text(block: Block) -> str:
    text = block.content.get("text") if isinstance(block.content, dict) else None
    return text if isinstance(text, str) else ""


def block_completed(block: Block) -> bool:
    return block.meta.get("is_completed") is True


def _states_schedule(block: Block) -> bool:
    """A block without ``due_date`` says nothing about its task's schedule (older blocks,
    writers that do not know these keys): the task keeps its own."""
    return isinstance(block.meta.get("due_date"), str)


def _link(block: Block, task: Task) -> None:
    block.meta = {**block.meta, "task_id": str(task.id)}
    task.meta = {**task.meta, "block_id": str(block.id), "note_id": str(block.note_id)}


def _new_task(block: Block) -> Task:
    """The task of a task block that has none yet, linked to it."""
    task = Task(
        id=uuid.uuid4(),
        user_id=block.user_id,
        note_id=block.note_id,
        block_id=block.id,
        title=block_text(block),
        is_completed=block_completed(block),
        time_zone="UTC",
        meta={},
    )
    if _states_schedule(block):
        apply_block_schedule(task, block.meta)
    _link(block, task)
    return task


async def tasks_of_new_blocks(session: AsyncSession, blocks: list[Block]) -> list[Task]:
    """``block_to_task`` for many blocks added to the session but not yet written (an
    import): each task is linked to its block before either row is inserted, so the blocks
    and then their tasks go in one INSERT each, with no UPDATE of the blocks after. Returns
    the new tasks, unannounced: the caller emits their events after its own."""
    tasks = [_new_task(block) for block in blocks if block.type == TASK_TYPE]
    await session.flush()  # the blocks first: their tasks refer to them
    session.add_all(tasks)
    await session.flush()
    for task in tasks:
        # A new task has no reminder to replace: only one with a reminder time queues one.
        at = schedule.reminder_time(task.due_at, task.remind_at, task.remind_before_minutes)
        if at is not None:
            await reminders.reschedule(session, task)
    return tasks


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
        task = _new_task(block)
        session.add(task)
        await session.flush()
        await reminders.reschedule(session, task)
        await emit(session, TaskCreated.of(task))
        return
    if "task_id" not in block.meta:
        _link(block, task)
    title, done = block_text(block), block_completed(block)
    planned = _states_schedule(block) and apply_block_schedule(task, block.meta)
    if (task.title, task.is_completed) != (title, done) or planned:
        was_completed, text_changed = task.is_completed, task.title != title
        task.title, task.is_completed = title, done
        task.updated_at = utcnow()
        await session.flush()
        # Ticking a repeating item off moves it to its next occurrence, unticked again.
        if done and not was_completed and await complete_occurrence(session, task, block.user_id):
            block.meta = with_schedule({**block.meta, "is_completed": False}, task)
            session.info.setdefault(AHEAD, {})[block.id] = block
            await emit(session, TaskCompleted.of(task, text_changed=text_changed))
        else:
            if planned or done != was_completed:
                await reminders.reschedule(session, task)
            await emit(
                session,
                task_updated(task, was_completed=was_completed, text_changed=text_changed),
            )


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

    async def blocks_created(self, session: AsyncSession, blocks: list[Block]) -> list[Task]:
        return await tasks_of_new_blocks(session, blocks)


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
        meta={"is_completed": task.is_completed, **schedule_meta(task)},
        order=order,
    )
    _link(block, task)
    return block


def convert_to_task_block(block: Block, task: Task) -> None:
    block.type = TASK_TYPE
    block.content = {**block.content, "text": task.title}
    block.meta = with_schedule({**block.meta, "is_completed": task.is_completed}, task)
    _link(block, task)


async def task_to_block(session: AsyncSession, task: Task, block: Block | None) -> None:
    """After a task's title, completion or schedule changed: mirror it into its live
    ``block`` (whose node in the note's document shows the schedule as a chip)."""
    if block is None:
        return
    meta = with_schedule({**block.meta, "is_completed": task.is_completed}, task)
    content = {**block.content, "text": task.title}
    if (block.content, block.meta) == (content, meta):
        return
    text_changed = content != block.content
    block.content = content
    block.meta = meta
    block.updated_at = utcnow()
    await session.flush()
    await emit(session, BlockUpdated.of(block, text_changed=text_changed))


async def mirror_old_schedules(db: Database) -> int:
    """Writes the schedule of tasks dated before their blocks carried it into those blocks
    (and so into their notes' documents, where the due chip shows); returns how many. Run
    at start-up, in the background: once everything is mirrored it is one empty query."""
    mirrored = 0
    try:
        while True:
            async with db.session() as session:
                rows = await repository.unmirrored_schedules(
                    session, MIRROR_BATCH, skip_locked=not db.is_sqlite
                )
                for task, block in rows:
                    await task_to_block(session, task, block)
            mirrored += len(rows)
            if len(rows) < MIRROR_BATCH:
                break
    except Exception:  # the next start tries again
        log.exception("mirroring task schedules into their blocks failed")
    return mirrored


async def task_deleted(session: AsyncSession, task: Task, block: Block | None) -> None:
    """Deleting the task deletes its live ``block``: the item disappears from both views."""
    if block is not None:
        block.stamp(task.deleted_at or utcnow(), task.deleted_batch)
        await session.flush()
        await emit(session, BlockDeleted.of(block))
