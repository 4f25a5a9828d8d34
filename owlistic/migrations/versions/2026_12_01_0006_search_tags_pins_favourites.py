"""search index, pinned notes, favourites

The index of existing notes, blocks and tasks is built here (``index.rows.rebuild``),
before the engines' indexes are created, so they are built once over the whole table.

SQLite: FTS5 tables over ``search_docs`` (external content) kept in sync by triggers, so
every writer that changes a row keeps them right; ``unicode61`` for words, ``trigram`` for
substrings of text written without spaces (only ``substrings`` is indexed there).
PostgreSQL: a generated ``tsvector`` (title A, tags B, body D) with a GIN index in the
configured language (``OWLISTIC_SEARCH_LANGUAGE``), and ``pg_trgm`` on ``substrings``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from owlistic.index.reindex import add_vector, drop_fts_triggers, sync_fts
from owlistic.index.rows import rebuild
from owlistic.settings import get_settings

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_TABLES = ("search_fts", "search_trigram")  # later ones come with their own migrations


def _sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, tags, body, content='search_docs', "
        "content_rowid='id', tokenize='unicode61', prefix='2 3')"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_trigram USING fts5(substrings, content='search_docs', "
        "content_rowid='id', tokenize='trigram')"
    )
    sync_fts(op.get_bind(), _FTS_TABLES)


def _postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    add_vector(op.get_bind(), get_settings().search_language)
    op.execute(
        "CREATE INDEX ix_search_docs_substrings ON search_docs USING gin "
        "(substrings gin_trgm_ops) WHERE substrings <> ''"
    )


def upgrade() -> None:
    op.add_column(
        "notes", sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "favourites",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_favourites_note_id_notes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_favourites_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "note_id", name=op.f("pk_favourites")),
    )
    op.create_index(op.f("ix_favourites_note_id"), "favourites", ["note_id"], unique=False)
    op.create_table(
        "search_docs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=True),
        sa.Column("block_id", sa.Uuid(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("substrings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["blocks.id"],
            name=op.f("fk_search_docs_block_id_blocks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_search_docs_note_id_notes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_search_docs_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_docs")),
        sa.UniqueConstraint("block_id", name=op.f("uq_search_docs_block_id")),
        sa.UniqueConstraint("task_id", name=op.f("uq_search_docs_task_id")),
    )
    op.create_index(op.f("ix_search_docs_note_id"), "search_docs", ["note_id"], unique=False)
    rebuild(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        _sqlite()
    else:
        _postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_fts_triggers(op.get_bind(), _FTS_TABLES)
        for table in _FTS_TABLES:
            op.execute(f"DROP TABLE {table}")
    op.drop_table("search_docs")
    op.drop_table("favourites")
    # Plain DROP COLUMN (SQLite >= 3.35): batch mode would copy and drop ``notes``, which the
    # foreign keys pointing at it refuse.
    op.drop_column("notes", "pinned")
