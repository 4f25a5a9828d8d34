"""Run Alembic programmatically (start-up, CLI and tests all build the schema this way)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

HERE = Path(__file__).resolve().parent
# Held while migrating on PostgreSQL: server instances or workers starting together on a
# fresh database migrate one after the other (the later ones find the schema up to date).
MIGRATION_LOCK_KEY = 0x6F776C6D69677261  # "owlmigra"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


async def _serialize(connection: AsyncConnection) -> None:
    """On PostgreSQL, wait for other migrators; the lock ends with the transaction."""
    if connection.dialect.name == "postgresql":
        await connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    def _upgrade(connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await _serialize(connection)
        await connection.run_sync(_upgrade)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _downgrade(connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await _serialize(connection)
        await connection.run_sync(_downgrade)
