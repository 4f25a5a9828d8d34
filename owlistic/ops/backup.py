"""``owlistic backup FILE`` / ``owlistic restore FILE``: the database, the data dir's secret
and attachments, in one tar archive.

- SQLite: a consistent online copy through SQLite's backup API (writers keep going).
- PostgreSQL: ``pg_dump`` in its custom format when it is installed, else a logical export of
  every table the database has (reflected, not listed: tables added later are included), as
  JSON lines in foreign-key order, restored into the schema the migrations build.

A restore goes into an empty database only and reproduces every row exactly.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, func, insert, make_url, select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from tqdm import tqdm

from owlistic.push.vapid import KEY_FILE as VAPID_KEY_FILE
from owlistic.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PGDUMP_MEMBER = "database.pgdump"
LOGICAL_MEMBER = "database.jsonl"
DATA_MEMBER = "data"
SECRET_FILE = "jwt_secret"
# Generated into the data dir when not configured. Restored without them, every session
# would end (JWT) and every push subscription would stop working (VAPID).
SECRET_FILES = (SECRET_FILE, VAPID_KEY_FILE)
ATTACHMENTS_DIR = "attachments"
BATCH = 1000


class BackupError(RuntimeError):
    """The backup or restore cannot be done as asked; nothing was changed."""


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.effective_database_url).database
    if not database:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _data_files(settings: Settings) -> list[Path]:
    """The data dir's secrets and attachments, the parts that are not in the database."""
    found = [
        settings.data_dir / name for name in SECRET_FILES if (settings.data_dir / name).is_file()
    ]
    attachments = settings.data_dir / ATTACHMENTS_DIR
    if attachments.is_dir():
        found.extend(p for p in sorted(attachments.rglob("*")) if p.is_file())
    return found


# -- values of a logical export: tagged so they read back as the same Python values ---------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dict | list):
        return {"$json": value}  # never mistaken for a tag
    return value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$uuid": uuid.UUID,
    "$bytes": base64.b64decode,
    "$decimal": Decimal,
    "$json": lambda v: v,
}


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        return _DECODERS[tag](inner)
    return value


async def _tables(conn: AsyncConnection) -> list[Table]:
    metadata = MetaData()
    await conn.run_sync(lambda sync: metadata.reflect(sync))
    return list(metadata.sorted_tables)  # parents before children


async def table_rows(conn: AsyncConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by all columns: what a restore must reproduce."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table in await _tables(conn):
        rows = await conn.execute(select(table).order_by(*table.c))
        result[table.name] = [tuple(r) for r in rows]
    return result


async def _logical_export(url: URL, out: io.BufferedWriter, bar: tqdm[Any]) -> dict[str, int]:
    engine = create_async_engine(url)
    counts: dict[str, int] = {}
    try:
        async with engine.connect() as conn:
            # One snapshot for every table: a consistent export while writers go on.
            await conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            tables = await _tables(conn)
            totals = {
                t.name: int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
                for t in tables
            }
            bar.reset(total=sum(totals.values()))
            for table in tables:
                counts[table.name] = totals[table.name]
                # Generated columns (the search vector) are derived again on insert.
                stored = [c for c in table.c if c.computed is None]
                header = {"table": table.name, "columns": [c.name for c in stored]}
                out.write((json.dumps(header) + "\n").encode())
                stream = await conn.stream(select(*stored))
                async for row in stream:
                    out.write((json.dumps([_encode(v) for v in row]) + "\n").encode())
                    bar.update(1)
    finally:
        await engine.dispose()
    return counts


def _lines(path: Path) -> Iterator[Any]:
    with path.open("rb") as f:
        for line in f:
            yield json.loads(line)


async def _logical_import(url: URL, path: Path, bar: tqdm[Any]) -> None:
    from owlistic.migrations.runner import upgrade

    engine = create_async_engine(url)
    try:
        await upgrade(engine)  # the schema of this version, then exactly the saved rows
        async with engine.begin() as conn:
            tables = {t.name: t for t in await _tables(conn)}
            await conn.execute(text("DELETE FROM alembic_version"))
            table: Table | None = None
            columns: list[str] = []
            batch: list[dict[str, Any]] = []

            async def flush() -> None:
                if table is not None and batch:
                    await conn.execute(insert(table), batch)
                    bar.update(len(batch))
                    batch.clear()

            for item in _lines(path):
                if isinstance(item, dict):
                    await flush()
                    if item["table"] not in tables:
                        raise BackupError(f"table {item['table']} is not in this version's schema")
                    table, columns = tables[item["table"]], item["columns"]
                    continue
                batch.append(dict(zip(columns, (_decode(v) for v in item), strict=True)))
                if len(batch) >= BATCH:
                    await flush()
            await flush()
            # Identity/serial columns continue after the restored rows.
            for name, t in tables.items():
                for column in t.c:
                    sequence = (
                        await conn.execute(
                            text("SELECT pg_get_serial_sequence(:t, :c)"),
                            {"t": name, "c": column.name},
                        )
                    ).scalar()
                    if sequence:
                        await conn.execute(
                            text(
                                f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") '
                                f'FROM "{name}"), 0) + 1, false)'
                            ),
                            {"s": sequence},
                        )
    finally:
        await engine.dispose()


async def _is_empty(url: URL) -> bool:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return not await _tables(conn)
    finally:
        await engine.dispose()


# -- the commands -------------------------------------------------------------------------


async def backup(settings: Settings, target: Path, *, logical: bool = False) -> dict[str, Any]:
    url = make_url(settings.effective_database_url)
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": datetime.now().astimezone()}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        with tqdm(desc="database", unit="row", disable=None) as bar:
            if settings.is_sqlite:
                manifest["method"] = "sqlite-backup"
                member = work / SQLITE_MEMBER
                source = sqlite3.connect(_sqlite_path(settings))
                copy = sqlite3.connect(member)
                bar.unit = "page"

                def progress(_status: int, remaining: int, total: int) -> None:
                    bar.total = total
                    bar.n = total - remaining
                    bar.refresh()

                with copy:
                    source.backup(copy, pages=256, progress=progress)
                copy.close()
                source.close()
            elif not logical and shutil.which("pg_dump"):
                manifest["method"] = "pg_dump"
                member = work / PGDUMP_MEMBER
                bar.unit = "dump"
                await asyncio.to_thread(
                    subprocess.run,
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--file",
                        str(member),
                        _libpq_url(url),
                    ],
                    check=True,
                )
                bar.update(1)
            else:
                manifest["method"] = "logical"
                member = work / LOGICAL_MEMBER
                with member.open("wb") as out:
                    manifest["rows"] = await _logical_export(url, out, bar)
        files = _data_files(settings)
        manifest["data_files"] = [str(p.relative_to(settings.data_dir)) for p in files]
        manifest["created_at"] = manifest["created_at"].isoformat()
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            raw = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
            archive.add(member, arcname=member.name)
            for path in tqdm(files, desc="data files", unit="file", disable=None):
                archive.add(path, arcname=f"{DATA_MEMBER}/{path.relative_to(settings.data_dir)}")
        os.replace(partial, target)  # never a half-written archive under the final name
    return manifest


async def restore(settings: Settings, source: Path) -> dict[str, Any]:
    url = make_url(settings.effective_database_url)
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(source, "r:*") as archive:
        work = Path(scratch)
        archive.extractall(work, filter="data")
        manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source} is not an owlistic backup of format {FORMAT}")
        method = manifest["method"]
        if (method == "sqlite-backup") != settings.is_sqlite:
            kind = "SQLite" if method == "sqlite-backup" else "PostgreSQL"
            raise BackupError(f"this backup is of a {kind} database; point the settings at one")
        with tqdm(desc="database", unit="row", disable=None) as bar:
            if method == "sqlite-backup":
                target = _sqlite_path(settings)
                if target.exists() and target.stat().st_size > 0 and not await _is_empty(url):
                    raise BackupError(f"{target} is not empty; restore into a new database")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / SQLITE_MEMBER, target)
                bar.update(1)
            else:
                if not await _is_empty(url):
                    raise BackupError("the database is not empty; restore into a new database")
                if method == "pg_dump":
                    await asyncio.to_thread(
                        subprocess.run,
                        [
                            "pg_restore",
                            "--no-owner",
                            "--exit-on-error",
                            "--dbname",
                            _libpq_url(url),
                            str(work / PGDUMP_MEMBER),
                        ],
                        check=True,
                    )
                    bar.update(1)
                else:
                    bar.reset(total=sum(manifest.get("rows", {}).values()))
                    await _logical_import(url, work / LOGICAL_MEMBER, bar)
        for name in manifest.get("data_files", []):
            destination = settings.data_dir / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / DATA_MEMBER / name, destination)
    return manifest
