"""outbox rows without the unused version and status columns

Nothing ever read them: ``dispatched`` (with the partial index ``ix_events_pending``) says
whether a row is pending, and the event's type says what it is.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE ... DROP COLUMN, which SQLite has had since 3.35: batch mode would copy
# the whole outbox table.
def upgrade() -> None:
    op.drop_column("events", "version")
    op.drop_column("events", "status")


def downgrade() -> None:
    op.add_column("events", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "events",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="pending"),
    )
    op.execute("UPDATE events SET status = 'completed' WHERE dispatched")
