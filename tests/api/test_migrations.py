"""Migrations are reversible: the latest one goes down and up again, keeping the rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from owlistic.kit.db import Database
from owlistic.migrations.runner import HEAD_REVISION, current_revision, downgrade, upgrade
from owlistic.settings import Settings
from tests.conftest import run_database


def _outbox_columns(conn: Connection) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns("events")}


async def test_outbox_columns_migration_goes_down_and_up(
    settings: Settings, tmp_path: Path
) -> None:
    async with run_database(tmp_path / "migrations.db") as url:
        db = Database(settings.model_copy(update={"database_url": url}))
        try:
            await upgrade(db.engine)
            async with db.engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO events (id, event, entity, timestamp, data, key,"
                        " resource_type, resource_id, audience, dispatched)"
                        " VALUES ('00000000-0000-0000-0000-000000000001', 'note.updated',"
                        " 'note', '2026-12-01 10:00:00', '{}', 'k', 'note', 'n', '[]', true)"
                    )
                )
            async with db.engine.connect() as conn:
                assert not {"version", "status"} & await conn.run_sync(_outbox_columns)
            await downgrade(db.engine, "0003")
            async with db.engine.connect() as conn:
                assert {"version", "status"} <= await conn.run_sync(_outbox_columns)
                status = await conn.scalar(text("SELECT status FROM events"))
            assert status == "completed"
            await upgrade(db.engine)
            assert await current_revision(db.engine) == HEAD_REVISION
            async with db.engine.connect() as conn:
                assert not {"version", "status"} & await conn.run_sync(_outbox_columns)
                assert await conn.scalar(text("SELECT count(*) FROM events")) == 1
        finally:
            await db.dispose()


async def test_due_date_becomes_due_at_and_back(settings: Settings, tmp_path: Path) -> None:
    """0009 turns the contract's due_date strings into instants (all-day for dates) and its
    downgrade writes them back."""
    user = "00000000-0000-0000-0000-0000000000aa"
    rows = {
        "00000000-0000-0000-0000-0000000000b1": "2024-12-31",
        "00000000-0000-0000-0000-0000000000b2": "2024-12-31T10:00:00+02:00",
        "00000000-0000-0000-0000-0000000000b3": "",
    }
    async with run_database(tmp_path / "due.db") as url:
        db = Database(settings.model_copy(update={"database_url": url}))
        try:
            await upgrade(db.engine, "0008")
            async with db.engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO users (id, email, password_hash, username, display_name,"
                        " profile_pic, token_version, created_at, updated_at) VALUES (:id,"
                        " 'm@example.com', 'x', 'm', '', '', 0, '2026-01-01', '2026-01-01')"
                    ),
                    {"id": user},
                )
                for task_id, due in rows.items():
                    await conn.execute(
                        text(
                            "INSERT INTO tasks (id, user_id, title, description, is_completed,"
                            " due_date, metadata, created_at, updated_at) VALUES (:id, :user,"
                            " 't', '', false, :due, '{}', '2026-01-01', '2026-01-01')"
                        ),
                        {"id": task_id, "user": user, "due": due},
                    )
            await upgrade(db.engine)
            async with db.engine.connect() as conn:
                got = (
                    await conn.execute(text("SELECT due_at, due_all_day FROM tasks ORDER BY id"))
                ).all()
            assert [(str(at)[:19] if at else None, bool(day)) for at, day in got] == [
                ("2024-12-31 00:00:00", True),
                ("2024-12-31 08:00:00", False),
                (None, False),
            ]
            await downgrade(db.engine, "0008")
            async with db.engine.connect() as conn:
                back = (await conn.execute(text("SELECT due_date FROM tasks ORDER BY id"))).all()
            assert [b[0] for b in back] == ["2024-12-31", "2024-12-31T08:00:00+00:00", ""]
        finally:
            await db.dispose()
