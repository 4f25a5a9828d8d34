"""Stored documents: a compacted snapshot per note plus its append-only update log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, XmlFragment
from sqlalchemy import delete, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block.repository import ORDERING, live_in
from owlistic.collab import schema
from owlistic.kit.time import utcnow
from owlistic.models import DocumentUpdate, Note, NoteDocument


async def stored_updates(session: AsyncSession, note_id: uuid.UUID) -> list[bytes] | None:
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
    return [bytes(row[1]) for row in rows]


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


async def ensure_document(session: AsyncSession, note_id: uuid.UUID) -> list[bytes]:
    """The note's stored updates; a note that has none gets its document built from its
    block rows first (ids unchanged), once, under the note's lock."""
    found = await stored_updates(session, note_id)
    if found is not None:
        return found
    await lock_note(session, note_id)
    found = await stored_updates(session, note_id)
    if found is not None:
        return found
    blocks = await session.scalars(live_in([note_id]).order_by(*ORDERING))
    snapshot = document_from_blocks(
        [(str(b.id), b.type, b.content, dict(b.meta or {})) for b in blocks]
    )
    session.add(NoteDocument(note_id=note_id, snapshot=snapshot))
    await session.flush()
    return [snapshot]


async def has_documents(session: AsyncSession, note_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found = await session.scalars(
        select(NoteDocument.note_id).where(NoteDocument.note_id.in_(note_ids))
    )
    return set(found)


async def append(session: AsyncSession, note_id: uuid.UUID, updates: list[bytes]) -> None:
    if updates:
        session.add_all(DocumentUpdate(note_id=note_id, data=u) for u in updates)
        await session.flush()


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
