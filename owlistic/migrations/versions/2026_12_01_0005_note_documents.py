"""note documents: a compacted Yjs snapshot per note and its append-only update log

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_documents",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_note_documents_note_id_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("note_id", name=op.f("pk_note_documents")),
    )
    op.create_table(
        "note_updates",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["note_documents.note_id"],
            name=op.f("fk_note_updates_note_id_note_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_note_updates")),
    )
    op.create_index("ix_note_updates_note_seq", "note_updates", ["note_id", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_note_updates_note_seq", table_name="note_updates")
    op.drop_table("note_updates")
    op.drop_table("note_documents")
