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
