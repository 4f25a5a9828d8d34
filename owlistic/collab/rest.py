"""REST writes to blocks applied into the note's document, so open editors merge them.

A flush records the block rows a unit of work changed; before it commits,
``write_into_documents`` edits the matching nodes of each affected note's document (one
Yjs transaction per note) and appends the resulting update to the note's log in the same
transaction; after the commit, ``announce`` hands the updates to open editors here and
on the other instances. Notes that have no document yet need nothing: theirs is built
from the rows when first opened. The collab writer's own projection is not tracked.
"""

from __future__ import annotations

import uuid
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from owlistic.collab import repository, schema
from owlistic.collab.room import PROJECTING
from owlistic.collab.service import Collab
from owlistic.kit.db import Database
from owlistic.models import Block

CHANGED = "owlistic.collab.changed_blocks"
STORED = "owlistic.collab.stored_updates"


def _after_flush(session: Session, _: UOWTransaction) -> None:
    if session.info.get(PROJECTING):
        return
    changed: dict[uuid.UUID, tuple[uuid.UUID, bool]] | None = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Block):
            changed = changed if changed is not None else session.info.setdefault(CHANGED, {})
            changed[obj.id] = (obj.note_id, obj in session.deleted)


def install(db: Database, collab: Collab) -> None:
    """Track block writes of every unit of work and apply them before it commits."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)

    async def before(session: AsyncSession) -> None:
        await write_into_documents(session, collab)

    def after(session: AsyncSession) -> None:
        announce(session, collab)

    db.on_commit(before, after)


async def write_into_documents(session: AsyncSession, collab: Collab) -> None:
    changed: dict[uuid.UUID, tuple[uuid.UUID, bool]] | None = session.info.pop(CHANGED, None)
    if not changed:
        return
    by_note: dict[uuid.UUID, dict[uuid.UUID, bool]] = {}
    for block_id, (note_id, removed) in changed.items():
        by_note.setdefault(note_id, {})[block_id] = removed
    stored: dict[uuid.UUID, list[bytes]] = session.info.setdefault(STORED, {})
    for note_id in await repository.has_documents(session, list(by_note)):
        update = await _apply(session, collab, note_id, by_note[note_id])
        if update is not None:
            await repository.append(session, note_id, [update])
            stored.setdefault(note_id, []).append(update)


def announce(session: AsyncSession, collab: Collab) -> None:
    """After the commit: the stored updates go to the editors."""
    for note_id, updates in session.info.pop(STORED, {}).items():
        collab.stored(note_id, updates)


async def _apply(
    session: AsyncSession, collab: Collab, note_id: uuid.UUID, blocks: dict[uuid.UUID, bool]
) -> bytes | None:
    room = collab.room(note_id)
    doc: Doc[Any] = Doc()
    if room is not None:
        doc.apply_update(room.doc.get_update())
    else:
        stored = await repository.stored_updates(session, note_id)
        for update in stored.updates if stored is not None else []:
            doc.apply_update(update)
    fragment = doc.get(schema.FRAGMENT, type=XmlFragment)
    rows = await repository.blocks_by_id(session, set(blocks))
    orders = await repository.live_orders(session, note_id)
    captured: list[bytes] = []
    doc.observe(lambda e: captured.append(e.update))
    with doc.transaction(origin="owlistic-rest"):
        for block_id in sorted(blocks, key=str):
            row = rows.get(block_id)
            index = _index_of(fragment, block_id)
            gone = blocks[block_id] or row is None or row.deleted_at is not None
            if row is not None and row.note_id != note_id:
                gone = True  # moved to another note
            if gone:
                if index is not None:
                    del fragment.children[index]
                continue
            assert row is not None
            meta = dict(row.meta or {})
            if index is not None:
                schema.set_block(fragment, index, str(block_id), row.type, row.content, meta)
            else:
                at = _position(fragment, orders, row.order)
                schema.append_block(fragment, at, str(block_id), row.type, row.content, meta)
    return captured[0] if captured else None


def _index_of(fragment: XmlFragment, block_id: uuid.UUID) -> int | None:
    wanted = str(block_id)
    for index, child in enumerate(fragment.children):
        if isinstance(child, XmlElement) and child.attributes.get(schema.ID_ATTRIBUTE) == wanted:
            return index
    return None


def _position(fragment: XmlFragment, orders: dict[uuid.UUID, float], order: float) -> int:
    """Before the first node whose row comes after ``order``; at the end if none does."""
    for index, child in enumerate(fragment.children):
        if not isinstance(child, XmlElement):
            continue
        block_id = schema.valid_block_id(child.attributes.get(schema.ID_ATTRIBUTE))
        known = orders.get(block_id) if block_id is not None else None
        if known is not None and known > order:
            return index
    return len(fragment.children)
