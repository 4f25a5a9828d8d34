"""Run Alembic programmatically (start-up, CLI and tests all build the schema this way).

Alembic is imported only when there is something to migrate: with Mako and Pygments it
is about a third of the server's import time, and a schema already at ``HEAD_REVISION``
(every start but the first after an upgrade) needs one query to confirm.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
# The newest revision in versions/; a unit test keeps it equal to Alembic's head.
HEAD_REVISION = "0020"
# Held while migrating on PostgreSQL: server instances or workers starting together on a
# fresh database migrate one after the other (the later ones find the schema up to date).
MIGRATION_LOCK_KEY = 0x6F776C6D69677261  # "owlmigra"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

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


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema's revision, or None for an empty database."""
    try:
        async with engine.connect() as connection:
            value = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if value is None else str(value)
    except DBAPIError:  # no alembic_version table yet
        return None


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    if revision == "head" and await current_revision(engine) == HEAD_REVISION:
        return

    def _upgrade(connection: object) -> None:
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await _serialize(connection)
        await connection.run_sync(_upgrade)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _downgrade(connection: object) -> None:
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await _serialize(connection)
        await connection.run_sync(_downgrade)
