"""Stored documents: a compacted snapshot per note plus its append-only update log."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, XmlFragment
from sqlalchemy import Select, bindparam, delete, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block.repository import ORDERING, live_in
from owlistic.collab import schema
from owlistic.kit.time import utcnow
from owlistic.models import Block, DocumentUpdate, Note, NoteDocument, Task


@dataclass(frozen=True, slots=True)
class Stored:
    """A note's document as stored: its snapshot first, then its logged updates."""

    updates: list[bytes]
    seq: int  # the last logged update's sequence number (0: none)


async def stored_updates(session: AsyncSession, note_id: uuid.UUID) -> Stored | None:
    """The snapshot and every logged update of the note, or None if it has no document.

    One statement, so a compaction committing meanwhile cannot make us read its old
    snapshot with its already folded log. Applying a logged update that the snapshot
    already holds is harmless (Yjs updates are idempotent).
    """
    query = union_all(
        select(literal(0).label("seq"), NoteDocument.snapshot.label("data")).where(
            NoteDocument.note_id == note_id
        ),
        select(DocumentUpdate.seq, DocumentUpdate.data).where(DocumentUpdate.note_id == note_id),
    )
    rows = list(await (await session.connection()).execute(query.order_by("seq")))
    if not rows or rows[0][0] != 0:
        return None
    return Stored([bytes(row[1]) for row in rows], int(rows[-1][0]))


async def updates_after(
    session: AsyncSession, note_id: uuid.UUID, seq: int
) -> list[tuple[int, bytes]]:
    """The note's logged updates after ``seq``, oldest first."""
    rows = await session.execute(
        select(DocumentUpdate.seq, DocumentUpdate.data)
        .where(DocumentUpdate.note_id == note_id, DocumentUpdate.seq > seq)
        .order_by(DocumentUpdate.seq)
    )
    return [(int(s), bytes(d)) for s, d in rows]


async def lock_note(session: AsyncSession, note_id: uuid.UUID) -> None:
    """Serialise seeding and compaction of one note (SQLite: the write lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(Note.id).where(Note.id == note_id).with_for_update())


def document_from_blocks(blocks: list[tuple[str, str, object, dict[str, object]]]) -> bytes:
    doc: Doc[Any] = Doc()
    fragment = doc.get(schema.FRAGMENT, type=XmlFragment)
    with doc.transaction():
        for index, (block_id, block_type, content, meta) in enumerate(blocks):
            schema.append_block(fragment, index, block_id, block_type, content, meta)
    return doc.get_update()


async def ensure_document(session: AsyncSession, note_id: uuid.UUID) -> Stored:
    """The note's stored updates; a note that has none gets its document built from its
    block rows first (ids unchanged), once, under the note's lock."""
    found = await stored_updates(session, note_id)
    if found is not None:
        return found
    await lock_note(session, note_id)
    found = await stored_updates(session, note_id)
    if found is not None:
        return found
    rows: list[tuple[str, str, object, dict[str, object]]] = [
        (str(b.id), b.type, b.content, dict(b.meta or {}))
        for b in await session.scalars(live_in([note_id]).order_by(*ORDERING))
    ]
    # Blocks added through the API come after the note's initial empty block; the document
    # leaves it out rather than open with a blank first line (the projection then removes
    # its row with the first change of the document's structure).
    content = [row for row in rows if not schema.is_placeholder(row[1], row[2], row[3])]
    snapshot = document_from_blocks(content or rows)
    session.add(NoteDocument(note_id=note_id, snapshot=snapshot))
    await session.flush()
    return Stored([snapshot], 0)


async def has_documents(session: AsyncSession, note_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found = await session.scalars(_documents_among(), {"note_ids": note_ids})
    return set(found)


@functools.cache
def _documents_among() -> Select[uuid.UUID]:
    # Built once: every REST block write asks it (docs/architecture.md, "Per-request cost").
    return select(NoteDocument.note_id).where(
        NoteDocument.note_id.in_(bindparam("note_ids", expanding=True))
    )


async def append(session: AsyncSession, note_id: uuid.UUID, updates: list[bytes]) -> int:
    """Log the updates; returns the last one's sequence number (0 when there are none)."""
    if not updates:
        return 0
    rows = [DocumentUpdate(note_id=note_id, data=u) for u in updates]
    session.add_all(rows)
    await session.flush()
    return max(row.seq for row in rows)


@dataclass(frozen=True, slots=True)
class StoredSize:
    updates: int
    bytes: int


async def stored_size(session: AsyncSession, note_id: uuid.UUID) -> StoredSize:
    logged = (
        await session.execute(
            select(
                func.count(), func.coalesce(func.sum(func.length(DocumentUpdate.data)), 0)
            ).where(DocumentUpdate.note_id == note_id)
        )
    ).one()
    snapshot = await session.scalar(
        select(func.length(NoteDocument.snapshot)).where(NoteDocument.note_id == note_id)
    )
    return StoredSize(int(logged[0]), int(logged[1]) + int(snapshot or 0))


async def compact(session: AsyncSession, note_id: uuid.UUID) -> int:
    """Fold the log into the snapshot; returns how many updates were folded.

    Only the rows read here are deleted: a row another instance commits meanwhile stays
    in the log. Loading into a document drops deleted content (tombstones keep only
    their ids), so the snapshot stays close to the visible document's size.
    """
    await lock_note(session, note_id)
    snapshot = await session.scalar(
        select(NoteDocument.snapshot).where(NoteDocument.note_id == note_id)
    )
    if snapshot is None:
        return 0
    rows = list(
        await session.execute(
            select(DocumentUpdate.seq, DocumentUpdate.data)
            .where(DocumentUpdate.note_id == note_id)
            .order_by(DocumentUpdate.seq)
        )
    )
    if not rows:
        return 0
    doc: Doc[Any] = Doc()
    doc.apply_update(bytes(snapshot))
    for _, data in rows:
        doc.apply_update(bytes(data))
    await session.execute(
        update(NoteDocument)
        .where(NoteDocument.note_id == note_id)
        .values(snapshot=doc.get_update(), updated_at=utcnow())
    )
    seqs = [seq for seq, _ in rows]
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        await session.execute(delete(DocumentUpdate).where(DocumentUpdate.seq.in_(chunk)))
    return len(seqs)


# ---------------------------------------------------------------------- block rows


async def live_note(session: AsyncSession, note_id: uuid.UUID) -> Note | None:
    note = await session.get(Note, note_id)
    return note if note is not None and note.deleted_at is None else None


async def foreign_block_ids(
    session: AsyncSession, note_id: uuid.UUID, ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of ``ids`` that are blocks of other notes."""
    found = await session.scalars(
        select(Block.id).where(Block.id.in_(ids), Block.note_id != note_id)
    )
    return set(found)


async def live_orders(session: AsyncSession, note_id: uuid.UUID) -> dict[uuid.UUID, float]:
    """The order of each live block of the note."""
    rows = await session.execute(
        select(Block.id, Block.order).where(Block.note_id == note_id, Block.live())
    )
    orders: dict[uuid.UUID, float] = dict(rows.all())
    return orders


async def blocks_by_id(
    session: AsyncSession, ids: set[uuid.UUID], *, note_id: uuid.UUID | None = None
) -> dict[uuid.UUID, Block]:
    """Block rows (deleted ones too) by id, only the note's when ``note_id`` is given."""
    query = select(Block).where(Block.id.in_(ids))
    if note_id is not None:
        query = query.where(Block.note_id == note_id)
    return {b.id: b for b in await session.scalars(query)}


async def live_tasks_of(
    session: AsyncSession, block_ids: set[uuid.UUID]
) -> dict[uuid.UUID | None, Task]:
    """The live task linked to each of these blocks."""
    found = await session.scalars(select(Task).where(Task.block_id.in_(block_ids), Task.live()))
    return {t.block_id: t for t in found}
