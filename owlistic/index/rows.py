"""The rows of ``search_docs`` for notes, blocks and tasks: written one by one (``refresh``,
by the indexer in the writing transaction) or all at once (``rebuild``, by a migration).

Rows are kept while a note is in the trash (the query filters on the note, so restoring it
needs no work) and go with it when it is purged (``ON DELETE CASCADE``). A block or task
deleted on its own (never restored alone) loses its row at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from owlistic.index.text import content_text, index_text, is_unspaced
from owlistic.models import Block, Note, SearchDoc, Task
from owlistic.settings import get_settings

_CHUNK = 2000


def tags_text(tags: object) -> str:
    return (
        " ".join(index_text(t) for t in tags if isinstance(t, str))
        if isinstance(tags, list)
        else ""
    )


def _substrings(*texts: str) -> str:
    return " ".join(w for text in texts for w in text.split() if is_unspaced(w))


def _doc(title: str, tags: str, body: str) -> dict[str, str]:
    return {
        "title": title,
        "tags": tags,
        "body": body,
        "substrings": _substrings(title, tags, body),
    }


def _upsert(conn: Connection, where: Any, values: dict[str, Any]) -> None:
    if conn.execute(update(SearchDoc).where(where).values(values)).rowcount == 0:
        conn.execute(insert(SearchDoc).values(values))


def _block_body(content: object) -> str:
    return index_text(content_text(content, get_settings().search_indexed_chars))


_NOTES = select(Note.id, Note.user_id, Note.title, Note.tags)
_BLOCKS = (
    select(Block.id, Block.note_id, Block.user_id, Block.content, Note.title, Note.tags)
    .join(Note, Note.id == Block.note_id)
    .where(Block.deleted_at.is_(None))
)
# Live tasks, and those trashed with their note (kept for the note's restore).
_TASKS = (
    select(Task.id, Task.note_id, Task.user_id, Task.title, Task.description)
    .outerjoin(Note, Note.id == Task.note_id)
    .where(Task.deleted_at.is_(None) | Note.deleted_at.is_not(None))
)


def _note_row(row: Any) -> dict[str, Any]:
    note_id, user_id, title, tags = row
    return {**_doc(index_text(title), tags_text(tags), ""), "note_id": note_id, "user_id": user_id}


def _block_row(row: Any) -> dict[str, Any] | None:
    block_id, note_id, user_id, content, title, tags = row
    body = _block_body(content)
    if not body:  # the note's own row already matches its title and tags
        return None
    doc = _doc(index_text(title), tags_text(tags), body)
    return {**doc, "note_id": note_id, "block_id": block_id, "user_id": user_id}


def _task_row(row: Any) -> dict[str, Any]:
    task_id, note_id, user_id, title, description = row
    doc = _doc(index_text(title), "", index_text(description))
    return {**doc, "note_id": note_id, "task_id": task_id, "user_id": user_id}


def refresh_notes(conn: Connection, note_ids: Iterable[uuid.UUID]) -> None:
    """A note's title or tags changed: its own row and those of its blocks."""
    for row in conn.execute(_NOTES.where(Note.id.in_(list(note_ids)))):
        head = _note_row(row)
        conn.execute(
            update(SearchDoc)
            .where(
                SearchDoc.note_id == head["note_id"],
                SearchDoc.block_id.is_not(None),
                (SearchDoc.title != head["title"]) | (SearchDoc.tags != head["tags"]),
            )
            .values(title=head["title"], tags=head["tags"])
        )
        own_row = and_(
            SearchDoc.note_id == head["note_id"],
            SearchDoc.block_id.is_(None),
            SearchDoc.task_id.is_(None),
        )
        _upsert(conn, own_row, head)


def _refresh(
    conn: Connection, column: Any, ids: Iterable[uuid.UUID], docs: dict[uuid.UUID, Any]
) -> None:
    """Upserts ``docs``; the other ``ids`` (deleted, or nothing to index) lose their row."""
    gone = [i for i in ids if docs.get(i) is None]
    if gone:
        conn.execute(delete(SearchDoc).where(column.in_(gone)))
    for key, doc in docs.items():
        if doc is not None:
            _upsert(conn, column == key, doc)


def refresh_blocks(conn: Connection, block_ids: Iterable[uuid.UUID]) -> None:
    ids = list(block_ids)
    docs = {row[0]: _block_row(row) for row in conn.execute(_BLOCKS.where(Block.id.in_(ids)))}
    _refresh(conn, SearchDoc.block_id, ids, docs)


def refresh_tasks(conn: Connection, task_ids: Iterable[uuid.UUID]) -> None:
    ids = list(task_ids)
    docs = {row[0]: _task_row(row) for row in conn.execute(_TASKS.where(Task.id.in_(ids)))}
    _refresh(conn, SearchDoc.task_id, ids, docs)


def refresh(
    conn: Connection,
    *,
    notes: Iterable[uuid.UUID] = (),
    blocks: Iterable[uuid.UUID] = (),
    tasks: Iterable[uuid.UUID] = (),
) -> None:
    """Brings the index rows of these notes, blocks and tasks up to date (the API the
    write paths' events reach; notes first, as block rows carry their note's title)."""
    refresh_notes(conn, notes)
    refresh_blocks(conn, blocks)
    refresh_tasks(conn, tasks)


def rebuild(conn: Connection) -> None:
    """Indexes every note, block and task from scratch, in bulk (a migration on an existing
    database): the rows ``refresh`` would write one by one."""
    conn.execute(delete(SearchDoc))
    # Keyset pages, not a streaming cursor: a server-side cursor left open on PostgreSQL makes
    # later migrations in the same transaction fail to ALTER the tables it read.
    keyed = (
        (_NOTES, Note.id, _note_row),
        (_BLOCKS, Block.id, _block_row),
        (_TASKS, Task.id, _task_row),
    )
    for query, key, shape in keyed:
        last: uuid.UUID | None = None
        while True:
            page = query if last is None else query.where(key > last)
            chunk = conn.execute(page.order_by(key).limit(_CHUNK)).all()
            if not chunk:
                break
            last = chunk[-1][0]
            docs = [doc for doc in map(shape, chunk) if doc is not None]
            if docs:
                conn.execute(insert(SearchDoc), docs)
