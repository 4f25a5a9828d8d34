"""What one REST request costs the database: its statements, counted, and on PostgreSQL
replayed with ``pgbench`` as the ceiling the server's throughput is compared against.

The statements are captured from a real request: the app runs in this process on the
server's own storage (same settings, same code), and every statement a request's unit of
work sends is recorded with its parameters (background work such as the relay runs
outside any request and is left out). Each captured request becomes one pgbench script
(its statements with their parameters written in, inside one transaction that commits if
the request wrote, else rolls back); ids a request creates are drawn fresh per
transaction (``gen_random_uuid()``), so inserts replay without key conflicts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine

from bench.backends import ServerConfig
from bench.context import Context
from bench.seed import Dataset, open_engine, seed_dataset
from bench.server import Server

WARMUP_REQUESTS = 3
_PLACEHOLDER = re.compile(r"\$(\d+)")
_FRESH = re.compile(r"AS owl_new\d+")
_TPS = re.compile(r"^tps = ([\d.]+) \(without initial connection time\)", re.M)
_LATENCY = re.compile(r"^latency average = ([\d.]+) ms", re.M)


@dataclass
class Captured:
    """One request's statements, in order, and how its transaction ended."""

    statements: list[tuple[str, Any]] = field(default_factory=list)
    ended: str = "rollback"

    def summary(self) -> dict[str, Any]:
        writes = sum(1 for s, _ in self.statements if _is_write(s))
        return {
            "statements": len(self.statements),
            "writes": writes,
            "sql": [" ".join(s.split())[:160] for s, _ in self.statements],
        }


def _is_write(statement: str) -> bool:
    return statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")


class _Recorder:
    """Statements of the request being recorded (``X-Request-ID`` = ``tag``)."""

    def __init__(self) -> None:
        self.tag: str | None = None
        self.captured = Captured()

    def statement(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        from owlistic.kit.http import current_request_id

        transaction = statement.lstrip()[:6].upper() == "BEGIN "  # SQLite's own BEGIN
        if self.tag is not None and current_request_id() == self.tag and not transaction:
            self.captured.statements.append((statement, params))

    def ended(self, verb: str) -> Any:
        def listener(_conn: Any) -> None:
            from owlistic.kit.http import current_request_id

            if self.tag is not None and current_request_id() == self.tag:
                self.captured.ended = verb

        return listener


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def capture(ctx: Context, ds: Dataset) -> dict[str, list[Captured]]:
    """``ceiling_variants`` requests of each REST operation, as the server runs them (many
    different ones: replayed concurrently, they spread over rows as the load generator's
    clients do instead of queueing on one row lock). The app runs in
    this process on storage of its own (seeded with the same ids as the server's), so it
    never competes with the server under test for SQLite's write lock."""
    from bench.scenarios.rest_mix import OPERATIONS, _client
    from owlistic.app import create_app
    from owlistic.settings import Settings, get_settings

    config = await ctx.backend.fresh("statements")
    try:
        with _environment(config.env):
            get_settings.cache_clear()
            settings = Settings()
            app = create_app(settings)
        get_settings.cache_clear()
        variants = ctx.profile.ceiling_variants
        return await _record(app, config, ds, OPERATIONS, _client, variants)
    finally:
        await ctx.backend.release(config)


async def _record(
    app: Any,
    config: ServerConfig,
    ds: Dataset,
    operations: tuple[str, ...],
    client: Any,
    variants: int,
) -> dict[str, list[Captured]]:
    recorder = _Recorder()
    listeners = [
        ("before_cursor_execute", recorder.statement),
        ("commit", recorder.ended("commit")),
        ("rollback", recorder.ended("rollback")),
    ]
    for name, fn in listeners:
        event.listen(Engine, name, fn)
    found: dict[str, list[Captured]] = {}
    try:
        async with app.router.lifespan_context(app):
            engine = open_engine(config.database_url)
            try:
                await seed_dataset(engine, ds)
            finally:
                await engine.dispose()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                secret = config.secret()
                rng = random.Random(17)
                for op in operations:
                    for i in range(WARMUP_REQUESTS + variants):
                        u, next_request = client(ds, random.Random(rng.random()), (op,))
                        _, method, path, body = next_request()
                        tag = uuid.uuid4().hex
                        recorder.tag, recorder.captured = tag, Captured()
                        headers = {
                            "Authorization": f"Bearer {ds.token(u, secret)}",
                            "X-Request-ID": tag,
                        }
                        response = await http.request(method, path, json=body, headers=headers)
                        if response.status_code >= 400:
                            raise RuntimeError(f"{op}: HTTP {response.status_code} {response.text}")
                        if i >= WARMUP_REQUESTS:
                            found.setdefault(op, []).append(recorder.captured)
                        recorder.tag = None
    finally:
        for name, fn in listeners:
            event.remove(Engine, name, fn)
    return found


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, list | tuple):
        return "ARRAY[" + ", ".join(_literal(v) for v in value) + "]" if value else "'{}'"
    elif isinstance(value, dict):
        text = json.dumps(value)
    else:
        text = str(value)
    text = text.replace("'", "''")
    if ":" not in text and "\\" not in text:
        return f"'{text}'"
    # pgbench reads ``:name`` anywhere as a variable (times and JSON have colons): an
    # escape string spells the colon so that pgbench sees none.
    return "E'" + text.replace("\\", "\\\\").replace(":", "\\x3a") + "'"


_QUOTED = re.compile(r"(?<![A-Za-z0-9_])'((?:[^']|'')*)'")


def _colonless(statement: str) -> str:
    """The statement's own string literals (``'HH24:MI'``) with their colons escaped too."""

    def escape(match: re.Match[str]) -> str:
        text = match.group(1)
        if ":" not in text:
            return match.group(0)
        return "E'" + text.replace("\\", "\\\\").replace(":", "\\x3a") + "'"

    return _QUOTED.sub(escape, statement)


def _no_conflict(line: str) -> str:
    """A captured insert may be the first half of an upsert (the index row the seeded data
    lacked): replayed, the row is there, as it is for the server from then on."""
    if not line.upper().startswith("INSERT") or " ON CONFLICT " in line.upper():
        return line  # an upsert replays as it is
    head, returning, tail = line.partition(" RETURNING ")
    return f"{head} ON CONFLICT DO NOTHING{returning}{tail}"


def _creates(statement: str) -> bool:
    """An INSERT whose ids not seen before are the request's new rows (fresh per replayed
    transaction). An upsert's are not: its row may exist (the search index row of a block)
    and it names rows the request read, not wrote (the block's note, from a SELECT's
    result rather than its parameters)."""
    upper = statement.lstrip().upper()
    return upper.startswith("INSERT") and " ON CONFLICT " not in upper


def _uuids(params: Any) -> set[str]:
    return {str(p) for p in params or () if isinstance(p, uuid.UUID)}


def script(captured: Captured) -> str:
    """A pgbench script replaying one request in one transaction."""
    seen: set[str] = set()
    fresh: dict[str, str] = {}
    lines = []
    for statement, params in captured.statements:
        values = list(params or ())
        if _creates(statement):
            for value in _uuids(values) - seen:
                fresh.setdefault(value, f":owl_new{len(fresh) + 1}")
        seen |= _uuids(values)

        def render(match: re.Match[str], values: list[Any] = values) -> str:
            value = values[int(match.group(1)) - 1]
            return fresh.get(str(value), "") or _literal(value)

        line = " ".join(_PLACEHOLDER.sub(render, _colonless(statement)).split())
        lines.append(_no_conflict(line) + ";")
    head = []
    if fresh:
        columns = ", ".join(f"gen_random_uuid() AS {v[1:]}" for v in fresh.values())
        head.append(f"SELECT {columns} \\gset")
    end = "COMMIT;" if captured.ended == "commit" else "ROLLBACK;"
    return "\n".join([*head, "BEGIN;", *lines, end]) + "\n"


def find_pgbench() -> str | None:
    """On PATH, or beside Debian's PostgreSQL server (its package ships pgbench)."""
    found = shutil.which("pgbench")
    if found is None:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
        found = str(candidates[-1]) if candidates else None
    return found


def _libpq(database_url: str) -> tuple[list[str], dict[str, str]]:
    url = make_url(database_url)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or ""]
    env = dict(os.environ, PGPASSWORD=url.password or "", PGSSLMODE="disable")
    return [*args, url.database or ""], env


async def _pgbench(
    pgbench: str, scripts: list[Path], clients: int, seconds: float, database_url: str
) -> dict[str, Any]:
    connection, env = _libpq(database_url)
    # pgbench turns :name into a parameter only if the variable exists when it prepares
    # the statement, before the first \gset has run: define every fresh id up front.
    fresh = max(len(_FRESH.findall(s.read_text().partition("\n")[0])) for s in scripts)
    defines = [f"--define=owl_new{i}={uuid.UUID(int=0)}" for i in range(1, fresh + 1)]
    command = [
        pgbench,
        "--no-vacuum",
        "--protocol=prepared",
        f"--client={clients}",
        f"--jobs={min(clients, os.cpu_count() or 1)}",
        f"--time={max(1, round(seconds))}",
        *defines,
        *(f"--file={s}" for s in scripts),
        *connection,
    ]
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    text = out.decode(errors="replace")
    tps, latency = _TPS.search(text), _LATENCY.search(text)
    if proc.returncode != 0 or tps is None:
        raise RuntimeError(f"pgbench failed ({proc.returncode}): {err.decode()[-500:]}")
    return {
        "clients": clients,
        "tps": float(tps.group(1)),
        "latency_avg_ms": float(latency.group(1)) if latency else None,
    }


async def replay(
    ctx: Context, server: Server, captured: dict[str, list[Captured]]
) -> dict[str, Any]:
    """pgbench, each operation alone, at the REST series' client counts."""
    pgbench = find_pgbench()
    if pgbench is None:
        return {"status": "skipped", "reason": "pgbench not found"}
    levels: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="owlistic-pgbench-") as tmp:
        for op, requests in captured.items():
            scripts = []
            for i, request in enumerate(requests):
                path = Path(tmp) / f"{op}-{i}.sql"
                path.write_text(script(request))
                scripts.append(path)
            (ctx.out_dir / f"pgbench-{op}.sql").write_text(scripts[0].read_text())
            for clients in ctx.profile.rest_op_clients:
                try:
                    result = await _pgbench(
                        pgbench,
                        scripts,
                        clients,
                        ctx.profile.rest_seconds,
                        server.config.database_url,
                    )
                except RuntimeError as exc:
                    # A shared PostgreSQL out of connections fails the ceiling, not the
                    # series measured before it.
                    return {"status": "failed", "reason": str(exc), "levels": levels}
                levels.setdefault(op, []).append(result)
    variants = ctx.profile.ceiling_variants
    return {"status": "ok", "pgbench": pgbench, "variants": variants, "levels": levels}
