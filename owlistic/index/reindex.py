"""``owlistic reindex``: the search index built again from the notes, blocks and tasks.

For when the rows may be stale (data loaded around the server) or the engine's index must
change: PostgreSQL's ``tsvector`` is a generated column in ``search_language``, fixed when
it is created, so changing the setting needs it made again. One transaction; on
PostgreSQL the table is locked meanwhile (searches wait, they do not fail).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, select, text

from owlistic.index.rows import rebuild
from owlistic.models import SearchDoc
from owlistic.settings import ConfigurationError

# Indexed columns and their weights (A title, B tags, D body).
COLUMNS = ("title", "tags", "body")
HEAD_COLUMNS = ("title", "tags")
_WEIGHTS = "ABD"
# SQLite's FTS5 tables over ``search_docs`` (external content) and the columns each indexes.
FTS_TABLES = {
    "search_fts": COLUMNS,
    "search_trigram": ("substrings",),
    "search_titles": HEAD_COLUMNS,
}
# ``search_titles`` indexes only the notes' and tasks' own rows (``block_id`` NULL: blocks'
# rows repeat their note's title), through the view ``search_heads`` as its content.
_HEADS_ONLY = {"search_titles"}
_TRIGGERS = ("ai", "ad", "au")


def _fts_triggers(table: str, columns: Sequence[str]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    insert = f"INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new});"
    remove = f"INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    # A row's block_id never changes: it is in a heads-only table all its life, or never.
    heads = table in _HEADS_ONLY
    when_new, when_old = (
        ("WHEN new.block_id IS NULL ", "WHEN old.block_id IS NULL ") if heads else ("", "")
    )
    old_head = "old.block_id IS NULL AND " if heads else ""
    return [
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON search_docs {when_new}BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON search_docs {when_old}BEGIN {remove} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF {cols} ON search_docs "
        f"WHEN {old_head}({changed}) BEGIN {remove} {insert} END",
    ]


def sync_fts(conn: Connection, tables: Iterable[str] = FTS_TABLES) -> None:
    """SQLite: each FTS5 table built from ``search_docs`` in one pass, then the triggers
    that keep it in step with every later write."""
    for table in tables:
        conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('rebuild')"))
        for statement in _fts_triggers(table, FTS_TABLES[table]):
            conn.execute(text(statement))


def drop_fts_triggers(conn: Connection, tables: Iterable[str] = FTS_TABLES) -> None:
    for table in tables:
        for suffix in _TRIGGERS:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_{suffix}"))


def add_vector(conn: Connection, language: str) -> None:
    """PostgreSQL: the weighted ``tsvector`` column of ``search_docs`` and its GIN index.
    ``language`` is a checked identifier (the setting's pattern), so it can be inlined."""
    vector = " || ".join(
        f"setweight(to_tsvector('{language}'::regconfig, {column}), '{weight}')"
        for column, weight in zip(COLUMNS, _WEIGHTS, strict=True)
    )
    conn.execute(
        text(
            f"ALTER TABLE search_docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({vector}) STORED"
        )
    )
    conn.execute(text("CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv)"))


def add_heads_index(conn: Connection) -> None:
    """PostgreSQL: GIN over the notes' and tasks' own rows only, so their title and tag
    matches are found without the blocks' rows (which repeat their note's title)."""
    conn.execute(
        text(
            "CREATE INDEX ix_search_docs_tsv_heads ON search_docs USING gin (tsv) "
            "WHERE block_id IS NULL"
        )
    )


def reindex(conn: Connection, language: str) -> int:
    """Rebuilds every index row (and PostgreSQL's vector in ``language``); the row count."""
    if conn.dialect.name == "postgresql":
        known = conn.scalar(
            text("SELECT count(*) FROM pg_ts_config WHERE cfgname = :name"), {"name": language}
        )
        if not known:
            raise ConfigurationError(
                f"OWLISTIC_SEARCH_LANGUAGE: PostgreSQL has no text search configuration "
                f"{language!r} (see \\dF in psql)"
            )
        conn.execute(text("DROP INDEX IF EXISTS ix_search_docs_tsv"))
        conn.execute(text("ALTER TABLE search_docs DROP COLUMN IF EXISTS tsv"))
        rebuild(conn)  # before the vector: it is computed once, over the whole table
        add_vector(conn, language)
        add_heads_index(conn)
    else:
        # The triggers would index a row at a time (and unindex every old row first):
        # several times slower than rebuilding each FTS5 table once from the new rows.
        drop_fts_triggers(conn)
        rebuild(conn)
        sync_fts(conn)
    return int(conn.scalar(select(func.count()).select_from(SearchDoc)) or 0)
