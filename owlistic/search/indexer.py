"""Keeps ``search_docs`` equal to the notes, blocks and tasks, inside the writing transaction.

The indexer is an in-transaction handler of the domain events (``install`` subscribes it):
each block, task or note event refreshes the index rows of what it names
(``index.rows.refresh``), in the transaction that emitted it. A write is findable as soon
as it returns, and an index row cannot outlive or lag its transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block.events import BlockEvent
from owlistic.events import domain
from owlistic.index.rows import refresh
from owlistic.note.events import NoteCreated, NoteEvent, NoteUpdated
from owlistic.task.events import TaskEvent


async def _refresh_now(session: AsyncSession, **ids: list[uuid.UUID]) -> None:
    await session.flush()  # the handler reads what the service just changed
    conn = await session.connection()
    await conn.run_sync(lambda sync_conn: refresh(sync_conn, **ids))


async def _on_block(session: AsyncSession, event: BlockEvent) -> None:
    await _refresh_now(session, blocks=[event.block_id])


async def _on_task(session: AsyncSession, event: TaskEvent) -> None:
    await _refresh_now(session, tasks=[event.task_id])


async def _on_note(session: AsyncSession, event: NoteEvent) -> None:
    await _refresh_now(session, notes=[event.note_id])


_installed = False


def install() -> None:
    """Subscribes the indexer to the events that change indexed text (idempotent).

    Trashing, restoring and sharing change no index row: the query filters on the note."""
    global _installed
    if _installed:
        return
    domain.subscribe(BlockEvent, _on_block)
    domain.subscribe(TaskEvent, _on_task)
    domain.subscribe(NoteCreated, _on_note)
    domain.subscribe(NoteUpdated, _on_note)
    _installed = True
