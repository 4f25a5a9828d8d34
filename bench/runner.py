"""Run the chosen scenarios in each mode and collect one results document."""

from __future__ import annotations

import json
import platform
import sqlite3
import subprocess
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.backends import Mode, create_backend, default_workers
from bench.context import Context
from bench.procstat import machine
from bench.profiles import Profile
from bench.scenarios import Scenario, registry
from bench.server import raise_fd_limit

SCHEMA_VERSION = 1
LIBRARIES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "aiokafka",
    "websockets",
    "uvloop",
    "httptools",
)


@dataclass(frozen=True)
class Options:
    profile: Profile
    modes: tuple[Mode, ...]
    scenarios: tuple[str, ...]
    results_dir: Path
    command: str
    py_spy: str | None = None
    workers: int | None = None  # production server processes; None: one per core
    baseline: Path | None = None  # a checkout to compare against (REST series)


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("owlistic", *LIBRARIES):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _baseline(checkout: Path | None) -> dict[str, str] | None:
    """Which code ``--baseline`` ran: the checkout's commit, if it is a git work tree."""
    if checkout is None:
        return None
    found = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {"commit": found.stdout.strip() if found.returncode == 0 else "unknown"}


def _write(path: Path, document: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n")
    tmp.replace(path)


async def run_scenario(
    scenario: Scenario, ctx: Context, document: dict[str, Any], path: Path
) -> dict[str, Any]:
    """One scenario in one mode; what it reports as it goes is saved at once."""
    began = time.perf_counter()
    saved: dict[str, Any] = {}

    def progress(result: dict[str, Any]) -> None:
        saved.clear()
        saved.update(result)
        wall = round(time.perf_counter() - began, 1)
        document["results"][scenario.name][ctx.mode] = {
            "status": "partial",
            **result,
            "wall_seconds": wall,
        }
        _write(path, document)

    ctx.progress = progress
    try:
        result = await scenario.run(ctx)
        entry = {"status": result.pop("status", "ok"), **result}
    except Exception as exc:
        # What it measured before failing is kept, marked partial.
        entry = {
            **saved,
            "status": "partial" if saved else "failed",
            "error": repr(exc),
            "traceback": traceback.format_exc(limit=8),
        }
    entry["wall_seconds"] = round(time.perf_counter() - began, 1)
    return entry


async def run(options: Options) -> tuple[Path, dict[str, Any]]:
    """Runs everything; the JSON file is rewritten after each scenario (partial runs survive)."""
    fd_limit = raise_fd_limit()
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    options.results_dir.mkdir(parents=True, exist_ok=True)
    path = options.results_dir / f"{run_id}.json"
    out_dir = options.results_dir / run_id
    scenarios = registry()
    document: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "run_id": run_id,
        "started_at": started.isoformat(),
        "finished_at": None,
        "command": options.command,
        "baseline": _baseline(options.baseline),
        "profile": options.profile.name,
        "modes": list(options.modes),
        "scenarios": list(options.scenarios),
        "workers": {
            mode: (options.workers or default_workers(mode)) if mode == "production" else 1
            for mode in options.modes
        },
        "machine": {**machine(), "open_files_limit": fd_limit},
        "versions": _versions(),
        "results": {name: {} for name in options.scenarios},
        "profiles": {},
        "logs": str(out_dir),
    }
    _write(path, document)
    for mode in options.modes:
        try:
            backend = create_backend(mode, run_id, options.workers)
            document["versions"] |= await backend.versions()
        except Exception as exc:
            for name in options.scenarios:
                document["results"][name][mode] = {"status": "failed", "error": repr(exc)}
            _write(path, document)
            continue
        ctx = Context(
            mode,
            options.profile,
            backend,
            out_dir,
            py_spy=options.py_spy,
            baseline=options.baseline,
        )
        try:
            for name in options.scenarios:
                print(f"[bench] {mode}: {name} ...", flush=True)
                entry = await run_scenario(scenarios[name], ctx, document, path)
                document["results"][name][mode] = entry
                print(
                    f"[bench] {mode}: {name} {entry['status']} in {entry['wall_seconds']}s",
                    flush=True,
                )
                _write(path, document)
        finally:
            await backend.close()
        if ctx.profiles:
            document["profiles"][mode] = ctx.profiles
    document["finished_at"] = datetime.now(UTC).isoformat()
    _write(path, document)
    return path, document
