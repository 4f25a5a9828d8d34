"""Keeps ``search_docs`` equal to the notes, blocks and tasks, inside the writing transaction.

The indexer is an in-transaction handler of the domain events (``install`` subscribes it):
each block, task or note event refreshes the index rows of what it names
(``index.rows.refresh``), in the transaction that emitted it. A write is findable as soon
as it returns, and an index row cannot outlive or lag its transaction.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block.events import BlockChanged, BlockEvent
from owlistic.events import domain
from owlistic.index.rows import refresh_block
from owlistic.index.writes import batching, refresh_now
from owlistic.models import Note
from owlistic.note.events import NoteCreated, NoteEvent, NoteUpdated
from owlistic.task.events import TaskChanged, TaskEvent


async def _on_block(session: AsyncSession, event: BlockEvent) -> None:
    if isinstance(event, BlockChanged):
        if not event.text_changed:
            return  # a ticked-off task's block: its index row is as it was
        if not batching(session) and await _refresh_from(session, event):
            return
    await refresh_now(session, blocks=[event.block_id])


async def _refresh_from(session: AsyncSession, event: BlockChanged) -> bool:
    """The block's row written from the event itself and its note, which the write loaded
    to check access (``get`` finds it in the session: no query for either); False if the
    note is gone."""
    note = await session.get(Note, event.note_id)
    if note is None:
        return False
    title, tags = note.title, note.tags
    await session.flush()
    conn = await session.connection()
    await conn.run_sync(
        lambda sync_conn: refresh_block(
            sync_conn,
            block_id=event.block_id,
            note_id=event.note_id,
            user_id=event.user_id,
            content=event.content,
            note_title=title,
            note_tags=tags,
        )
    )
    return True


async def _on_task(session: AsyncSession, event: TaskEvent) -> None:
    if isinstance(event, TaskChanged) and not event.text_changed:
        return
    await refresh_now(session, tasks=[event.task_id])


async def _on_note(session: AsyncSession, event: NoteEvent) -> None:
    await refresh_now(session, notes=[event.note_id])


async def _on_note_created(session: AsyncSession, event: NoteCreated) -> None:
    # A note is created with its blocks (one empty block, or an import's every block).
    await refresh_now(session, notes=[event.note_id], blocks=list(event.block_ids))


_installed = False


def install() -> None:
    """Subscribes the indexer to the events that change indexed text (idempotent).

    Trashing, restoring and sharing change no index row: the query filters on the note."""
    global _installed
    if _installed:
        return
    domain.subscribe(BlockEvent, _on_block)
    domain.subscribe(TaskEvent, _on_task)
    domain.subscribe(NoteCreated, _on_note_created)
    domain.subscribe(NoteUpdated, _on_note)
    _installed = True
