"""no deleted_at indexes on users, notebooks, notes, roles and tasks

The same reason as 0002 for blocks: nearly every row has deleted_at NULL, so these indexes
never narrow a search, but SQLite (no statistics unless ANALYZE runs) preferred them to the
selective index of the same query. Every write's audience lookup ("roles.deleted_at IS
NULL AND (resource_type, resource_id) = ...") read every live role, so writes slowed down
in proportion to the number of shares in the database (60 ms at 100,000 notes).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "notebooks", "notes", "roles", "tasks")


# Plain DROP/CREATE INDEX, which SQLite supports: batch mode would reflect each table
# first, which made a first start ~0.4 s slower.
def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_deleted_at", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_deleted_at", table, ["deleted_at"], unique=False)
