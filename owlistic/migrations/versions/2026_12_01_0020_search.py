"""search: an index of the notes' and tasks' own rows (titles and tags)

A query whose every word is common ranks a bounded set of candidates: the most recent
matching rows, plus the most recent title and tag matches. Those need an index of the
notes' and tasks' own rows alone (a block's row repeats its note's title, so the word
index would walk every block of every note so titled).

SQLite: an FTS5 table ``search_titles`` over the view ``search_heads`` (those rows of
``search_docs``), kept in sync by triggers. PostgreSQL: a partial GIN index on ``tsv``.

Revision ID: 0020
Revises: 0009
Create Date: 2026-12-01 19:00:00
"""

from collections.abc import Sequence

from alembic import op

from owlistic.index.reindex import add_heads_index, drop_fts_triggers, sync_fts

revision: str = "0020"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "search_titles"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIEW search_heads AS SELECT id, title, tags FROM search_docs "
            "WHERE block_id IS NULL"
        )
        # The same tokenizer and prefix indexes as search_fts: the same words match.
        op.execute(
            f"CREATE VIRTUAL TABLE {_TABLE} USING fts5(title, tags, content='search_heads', "
            "content_rowid='id', tokenize='unicode61', prefix='2 3')"
        )
        sync_fts(op.get_bind(), [_TABLE])
    else:
        add_heads_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_fts_triggers(op.get_bind(), [_TABLE])
        op.execute(f"DROP TABLE {_TABLE}")
        op.execute("DROP VIEW search_heads")
    else:
        op.execute("DROP INDEX ix_search_docs_tsv_heads")
