"""due time, reminders, recurrence, push subscriptions and calendar feeds

``tasks.due_date`` (a string) becomes ``due_at`` (an instant) plus ``due_all_day`` and
``time_zone``; the contract's ``due_date`` is derived from them from now on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from owlistic.kit.types import JSONType, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _parse(value: str) -> tuple[datetime, bool] | None:
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), True
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), False


def upgrade() -> None:
    op.add_column("tasks", sa.Column("due_at", UTCDateTime(), nullable=True))
    op.add_column(
        "tasks", sa.Column("due_all_day", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("tasks", sa.Column("time_zone", sa.Text(), nullable=False, server_default="UTC"))
    op.add_column("tasks", sa.Column("remind_at", UTCDateTime(), nullable=True))
    op.add_column("tasks", sa.Column("remind_before_minutes", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("recurrence", sa.Text(), nullable=True))
    op.add_column("tasks", sa.Column("series_start", UTCDateTime(), nullable=True))
    tasks = sa.table(
        "tasks",
        sa.column("id"),  # untyped: the stored value round-trips as it is
        sa.column("due_date", sa.Text()),
        sa.column("due_at", UTCDateTime()),
        sa.column("due_all_day", sa.Boolean()),
    )
    bind = op.get_bind()
    for task_id, due_date in bind.execute(
        sa.select(tasks.c.id, tasks.c.due_date).where(tasks.c.due_date != "")
    ).all():
        parsed = _parse(due_date)
        if parsed is not None:
            bind.execute(
                tasks.update()
                .where(tasks.c.id == task_id)
                .values(due_at=parsed[0], due_all_day=parsed[1])
            )
    # Both databases drop a plain column in place (SQLite since 3.35).
    op.execute("ALTER TABLE tasks DROP COLUMN due_date")
    op.create_index("ix_tasks_user_id_due_at", "tasks", ["user_id", "due_at"])

    op.add_column("users", sa.Column("time_zone", sa.Text(), nullable=True))
    op.add_column(
        "users",
        sa.Column("email_reminders", sa.Boolean(), nullable=False, server_default=sa.false()),
    )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("fire_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("channels", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name="fk_reminders_task_id_tasks"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_reminders_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
    )
    op.create_index("ix_reminders_task_id", "reminders", ["task_id"])
    op.create_index(
        "ix_reminders_pending",
        "reminders",
        ["fire_at"],
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "task_completions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("occurrence_at", UTCDateTime(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_task_completions_task_id_tasks"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_task_completions_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_task_completions"),
    )
    op.create_index("ix_task_completions_task_id", "task_completions", ["task_id"])

    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_push_subscriptions_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_push_subscriptions"),
        sa.UniqueConstraint("endpoint", name="uq_push_subscriptions_endpoint"),
    )
    op.create_index("ix_push_subscriptions_user_id", "push_subscriptions", ["user_id"])

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_calendar_feeds_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_feeds"),
        sa.UniqueConstraint("user_id", name="uq_calendar_feeds_user_id"),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_table("push_subscriptions")
    op.drop_table("task_completions")
    op.drop_table("reminders")
    op.execute("ALTER TABLE users DROP COLUMN email_reminders")
    op.execute("ALTER TABLE users DROP COLUMN time_zone")
    op.drop_index("ix_tasks_user_id_due_at", table_name="tasks")
    op.add_column("tasks", sa.Column("due_date", sa.Text(), nullable=False, server_default=""))
    tasks = sa.table(
        "tasks",
        sa.column("id"),  # untyped: the stored value round-trips as it is
        sa.column("due_date", sa.Text()),
        sa.column("due_at", UTCDateTime()),
        sa.column("due_all_day", sa.Boolean()),
    )
    bind = op.get_bind()
    for task_id, due_at, all_day in bind.execute(
        sa.select(tasks.c.id, tasks.c.due_at, tasks.c.due_all_day).where(
            tasks.c.due_at.is_not(None)
        )
    ).all():
        text = due_at.date().isoformat() if all_day else due_at.isoformat()
        bind.execute(tasks.update().where(tasks.c.id == task_id).values(due_date=text))
    for column in (
        "series_start",
        "recurrence",
        "remind_before_minutes",
        "remind_at",
        "time_zone",
        "due_all_day",
        "due_at",
    ):
        op.execute(f"ALTER TABLE tasks DROP COLUMN {column}")
