"""Indexes the hot queries depend on, and none that mislead SQLite's planner.

SQLite has no statistics unless ANALYZE runs, so between two usable indexes it guesses;
an index on ``deleted_at`` (NULL for nearly every row) looked as good as a selective one
and made every write read all live roles (migrations 0002, 0003).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from owlistic.kit.db import Database
from owlistic.migrations.runner import upgrade
from owlistic.settings import Settings
from tests.conftest import run_database

SOFT_DELETED = ("users", "notebooks", "notes", "blocks", "roles", "tasks")

# What a write runs to find who may see its event (access/audience.py: of_note).
AUDIENCE = (
    "SELECT roles.user_id FROM roles WHERE roles.deleted_at IS NULL AND "
    "(roles.resource_type = 'notebook' AND roles.resource_id = :notebook "
    "OR roles.resource_type = 'note' AND roles.resource_id = :note)"
)


def _indexes(conn: Connection) -> dict[str, list[list[str]]]:
    inspector = inspect(conn)
    return {
        table: [[str(c) for c in ix["column_names"]] for ix in inspector.get_indexes(table)]
        for table in SOFT_DELETED
    }


async def test_no_index_on_deleted_at_alone_and_the_selective_ones_exist(
    settings: Settings, tmp_path: Path
) -> None:
    async with run_database(tmp_path / "plans.db") as url:
        db = Database(settings.model_copy(update={"database_url": url}))
        try:
            await upgrade(db.engine)
            async with db.engine.connect() as conn:
                indexes = await conn.run_sync(_indexes)
                plan: list[str] = []
                if db.is_sqlite:
                    rows = await conn.execute(
                        text(f"EXPLAIN QUERY PLAN {AUDIENCE}"), {"notebook": "a", "note": "b"}
                    )
                    plan = [str(r[-1]) for r in rows]
        finally:
            await db.dispose()
    for table, columns in indexes.items():
        assert ["deleted_at"] not in columns, table
    assert ["resource_id", "resource_type"] in indexes["roles"]
    assert ["block_id"] in indexes["tasks"]
    assert ["note_id", "order"] in indexes["blocks"]
    if plan:  # SQLite: the audience lookup searches by resource, not by deleted_at
        assert any("ix_roles_resource" in step for step in plan), plan
        assert not any("deleted_at" in step for step in plan), plan
