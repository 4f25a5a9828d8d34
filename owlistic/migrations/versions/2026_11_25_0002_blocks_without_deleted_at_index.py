"""blocks without the deleted_at index

Almost every block has deleted_at NULL, so the index never narrows a search; but SQLite
(which has no statistics unless ANALYZE runs) preferred it to ix_blocks_note_order for
"note_id IN (...) AND deleted_at IS NULL" and read every live block to list a notebook.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_blocks_deleted_at", table_name="blocks")


def downgrade() -> None:
    op.create_index("ix_blocks_deleted_at", "blocks", ["deleted_at"], unique=False)
