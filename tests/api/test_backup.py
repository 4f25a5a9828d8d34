"""``owlistic backup`` then ``owlistic restore`` into an empty database reproduces every row
of every table (whatever tables exist) byte for byte, and the data dir's secret."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from owlistic.ops.backup import table_rows
from owlistic.push.vapid import KEY_FILE as VAPID_KEY_FILE
from owlistic.push.vapid import load_vapid
from owlistic.settings import Settings
from tests.api.helpers import API, block, notebook_with_note, ok
from tests.conftest import Account, register, run_database
from tests.realtime.processes import server_env

# Generous: the relay shares a loaded machine with the other stack's run.
DRAIN_SECONDS = 60.0
POSTGRES = os.environ.get("OWLISTIC_TEST_DATABASE_URL", "").startswith("postgresql")
METHODS = (
    (["pg_dump", "logical"] if shutil.which("pg_dump") else ["logical"])
    if POSTGRES
    else ["sqlite-backup"]
)


async def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "owlistic",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode()


async def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await table_rows(conn)
    finally:
        await engine.dispose()


async def _some_of_everything(client: httpx.AsyncClient, owner: Account) -> None:
    guest = await register(client)
    nb, n = await notebook_with_note(client, owner)
    await block(client, owner, n["id"], text='ünïcode ✓ "quotes" \\ back', metadata={"x": 1.1})
    ok(
        await client.post(
            f"{API}/tasks",
            json={"note_id": n["id"], "title": "due", "due_date": "2026-12-24"},
            headers=owner.headers,
        ),
        201,
    )
    ok(
        await client.put(
            f"{API}/notebooks/{nb['id']}/shares",
            json={"email": guest.email, "role": "viewer"},
            headers=owner.headers,
        )
    )
    ok(await client.post(f"{API}/logout", headers=guest.headers))


async def _settled(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The rows once the relay has dispatched everything (it marks events as it goes)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    while loop.time() < deadline:
        if await _pending(url) == 0:
            return await _rows(url)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the outbox did not drain in {DRAIN_SECONDS} s")


async def _pending(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text("SELECT count(*) FROM events WHERE NOT dispatched"))
            return int(result.scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("method", METHODS)
async def test_backup_then_restore_into_an_empty_database_is_identical(
    client: httpx.AsyncClient, owner: Account, settings: Settings, tmp_path: Path, method: str
) -> None:
    await _some_of_everything(client, owner)
    load_vapid(settings)  # the push key, generated into the data dir as the server would
    blob = settings.data_dir / "attachments" / "ab" / f"{method}.bin"
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(bytes(range(256)))
    before = await _settled(settings.effective_database_url)
    source_env = server_env(settings, settings.data_dir)
    archive = tmp_path / "owlistic-backup.tar.gz"
    args = ["backup", str(archive), *(["--logical"] if method == "logical" else [])]
    assert f"({method})" in await _cli(source_env, tmp_path, *args)

    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    async with run_database(restored_dir / "owlistic.db") as url:
        env = source_env | {"OWLISTIC_DATA_DIR": str(restored_dir), "OWLISTIC_DATABASE_URL": url}
        assert f"({method})" in await _cli(env, tmp_path, "restore", str(archive))
        after = await _rows(url)
        # A second restore never overwrites data.
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "owlistic", "restore", str(archive)),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        assert process.returncode == 1, out
        assert b"not empty" in out, out

    assert {"users", "notebooks", "notes", "blocks", "tasks", "roles", "events"} <= set(before)
    assert all(before[t] for t in ("users", "blocks", "tasks", "roles", "events"))
    assert after == before
    restored_blob = restored_dir / blob.relative_to(settings.data_dir)
    assert restored_blob.read_bytes() == blob.read_bytes()
    secret = settings.data_dir / "jwt_secret"
    if secret.exists():
        assert (restored_dir / "jwt_secret").read_bytes() == secret.read_bytes()
    vapid_key = settings.data_dir / VAPID_KEY_FILE
    assert (restored_dir / VAPID_KEY_FILE).read_bytes() == vapid_key.read_bytes()
