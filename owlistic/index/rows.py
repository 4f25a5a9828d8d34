"""The rows of ``search_docs`` for notes, blocks and tasks: written one by one (``refresh``,
by the indexer in the writing transaction) or all at once (``rebuild``, by a migration).

Rows are kept while a note is in the trash (the query filters on the note, so restoring it
needs no work) and go with it when it is purged (``ON DELETE CASCADE``). A block or task
deleted on its own (never restored alone) loses its row at once.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from owlistic.index.text import content_text, index_text, is_unspaced
from owlistic.models import Block, Note, SearchDoc, Task
from owlistic.settings import get_settings

_CHUNK = 2000
_FEW = 8  # up to this many rows are upserted one by one, more in bulk


def tags_text(tags: object) -> str:
    return (
        " ".join(index_text(t) for t in tags if isinstance(t, str))
        if isinstance(tags, list)
        else ""
    )


def _substrings(*texts: str) -> str:
    # One scan of each text first: most have no unspaced script at all.
    return " ".join(
        w for text in texts if is_unspaced(text) for w in text.split() if is_unspaced(w)
    )


def _doc(title: str, tags: str, body: str) -> dict[str, str]:
    return {
        "title": title,
        "tags": tags,
        "body": body,
        "substrings": _substrings(title, tags, body),
    }


def not_set(column: Any) -> ColumnElement[bool]:
    """``column IS NULL``, in a form no index answers. ``block_id`` and ``task_id`` have
    unique indexes, NULL in almost every row; SQLite (no statistics) chose one for ``IS
    NULL`` over ``note_id``'s, reading every row: 2 s per note write at 1M blocks."""
    return func.coalesce(column, column).is_(None)


def _upsert(conn: Connection, where: Any, values: dict[str, Any]) -> None:
    if conn.execute(update(SearchDoc).where(where).values(values)).rowcount == 0:
        conn.execute(insert(SearchDoc).values(values))


def _upsert_by(conn: Connection, column: Any, values: dict[str, Any]) -> None:
    """The row whose unique ``column`` (block or task id) is in ``values``, inserted or
    updated in one statement (both engines' ``ON CONFLICT``)."""
    conn.execute(_upsert_statement(conn.dialect.name, column.key, tuple(values)), values)


@functools.cache
def _upsert_statement(dialect_name: str, key: str, names: tuple[str, ...]) -> Executable:
    # Built once per shape: ``excluded`` alone (an alias of the table with a proxy of every
    # column) was ~6 % of a block write's CPU when built per statement.
    values: dict[str, Any] = {name: bindparam(name) for name in names}
    statement: postgresql.Insert | sqlite.Insert = (
        postgresql.insert(SearchDoc).values(values)
        if dialect_name == "postgresql"
        else sqlite.insert(SearchDoc).values(values)
    )
    changed = {name: statement.excluded[name] for name in names if name != key}
    upsert: Executable = statement.on_conflict_do_update(index_elements=[key], set_=changed)
    return upsert


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


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
    ids = list(note_ids)
    if not ids:  # each write refreshes one kind: no round trip for the others
        return
    for chunk in _chunks(ids):
        heads = [_note_row(row) for row in conn.execute(_NOTES.where(Note.id.in_(chunk)))]
        if len(heads) <= _FEW:
            for head in heads:
                _refresh_note(conn, head)
        else:  # an import's notes: a few statements however many
            _refresh_many_notes(conn, heads)


def _refresh_note(conn: Connection, head: dict[str, Any]) -> None:
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
        not_set(SearchDoc.block_id),
        not_set(SearchDoc.task_id),
    )
    _upsert(conn, own_row, head)


def _refresh_many_notes(conn: Connection, heads: list[dict[str, Any]]) -> None:
    """``_refresh_note`` for each of ``heads``, as executemany statements."""
    conn.execute(
        update(SearchDoc)
        .where(
            SearchDoc.note_id == bindparam("note_id_"),
            SearchDoc.block_id.is_not(None),
            (SearchDoc.title != bindparam("title_")) | (SearchDoc.tags != bindparam("tags_")),
        )
        .values(title=bindparam("title_"), tags=bindparam("tags_")),
        # Bound names differ from the columns': SQLAlchemy reserves those for SET.
        [{f"{k}_": head[k] for k in ("note_id", "title", "tags")} for head in heads],
    )
    # The notes' own rows replaced: no read of which exist (an import's are all new).
    conn.execute(
        delete(SearchDoc).where(
            SearchDoc.note_id.in_([head["note_id"] for head in heads]),
            not_set(SearchDoc.block_id),
            not_set(SearchDoc.task_id),
        )
    )
    conn.execute(insert(SearchDoc), heads)


def _refresh(
    conn: Connection, column: Any, query: Any, key: Any, shape: Any, ids: list[uuid.UUID]
) -> None:
    """The index rows of ``ids`` (blocks or tasks, ``column``) made equal to what ``query``
    and ``shape`` give; ids with nothing to index (deleted, empty) lose their row. A few
    statements per chunk, however many ids (executemany for the updates and inserts)."""
    for chunk in _chunks(ids):
        docs = {row[0]: shape(row) for row in conn.execute(query.where(key.in_(chunk)))}
        gone = [i for i in chunk if docs.get(i) is None]
        if gone:
            conn.execute(delete(SearchDoc).where(column.in_(gone)))
        wanted = {i: doc for i, doc in docs.items() if doc is not None}
        if len(wanted) <= _FEW:  # one write's few rows: one upsert each
            for doc in wanted.values():
                _upsert_by(conn, column, doc)
            continue
        have = set(conn.scalars(select(column).where(column.in_(list(wanted)))))
        # Bound names differ from the columns': SQLAlchemy reserves those for SET.
        changed = [
            {"key_": i, **{f"{k}_": v for k, v in doc.items()}}
            for i, doc in wanted.items()
            if i in have
        ]
        if changed:
            names = list(wanted[next(iter(wanted))])
            fields: dict[str, Any] = {name: bindparam(f"{name}_") for name in names}
            conn.execute(
                update(SearchDoc).where(column == bindparam("key_")).values(fields), changed
            )
        new = [doc for i, doc in wanted.items() if i not in have]
        if new:
            conn.execute(insert(SearchDoc), new)


def refresh_block(
    conn: Connection,
    *,
    block_id: uuid.UUID,
    note_id: uuid.UUID,
    user_id: uuid.UUID,
    content: object,
    note_title: str,
    note_tags: object,
) -> None:
    """``refresh_blocks`` for one live block whose values the caller holds (a write's event,
    with its note already loaded): one statement, no query for them."""
    doc = _block_row((block_id, note_id, user_id, content, note_title, note_tags))
    if doc is None:
        conn.execute(delete(SearchDoc).where(SearchDoc.block_id == block_id))
    else:
        _upsert_by(conn, SearchDoc.block_id, doc)


def refresh_blocks(conn: Connection, block_ids: Iterable[uuid.UUID]) -> None:
    _refresh(conn, SearchDoc.block_id, _BLOCKS, Block.id, _block_row, list(block_ids))


def refresh_tasks(conn: Connection, task_ids: Iterable[uuid.UUID]) -> None:
    _refresh(conn, SearchDoc.task_id, _TASKS, Task.id, _task_row, list(task_ids))


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
