"""The benchmark harness runs end to end at tiny sizes (embedded mode, a few seconds).

Nothing here asserts a time: the machine running the tests may be busy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from bench import report
from bench.backends import Backend
from bench.context import Context
from bench.profiles import PROFILES
from bench.runner import run_scenario
from bench.scenarios import Scenario
from bench.stats import percentile, summarize

REPO = Path(__file__).resolve().parents[2]
# The harness runs its own embedded server whatever stack the suite is on.
pytestmark = pytest.mark.once
LATENCY_KEYS = {"count", "p50_ms", "p95_ms", "p99_ms", "max_ms"}


def test_percentiles_interpolate() -> None:
    assert percentile([], 99) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert summarize([5.0, 1.0, 3.0])["max_ms"] == 5.0


def test_harness_runs_and_writes_results(tmp_path: Path) -> None:
    docs = REPO / "docs" / "benchmarks.md"
    docs_before = docs.read_bytes() if docs.exists() else None
    command = [
        sys.executable, "-m", "bench", "--tiny", "--mode", "embedded",
        "--scenario", "rest_mix", "--scenario", "relay",
        "--results-dir", str(tmp_path), "--no-docs",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr

    [path] = tmp_path.glob("*.json")
    document = json.loads(path.read_text())
    assert {"command", "machine", "versions", "results", "started_at", "finished_at"} <= set(
        document
    )
    assert document["machine"]["cores"] > 0
    assert document["versions"]["sqlite"]

    rest = document["results"]["rest_mix"]["embedded"]
    assert rest["status"] == "ok", rest
    [level] = rest["levels"]
    assert set(level) >= LATENCY_KEYS
    assert level["rps"] > 0
    assert level["errors"] == 0, level["error_samples"]
    assert set(level["ops"]) == {
        "open_note", "update_block", "create_block", "list_notes", "toggle_task",
    }  # fmt: skip

    assert set(rest["series"]) == {"mix", *level["ops"]}
    assert all(lv["errors"] == 0 and lv["rps"] > 0 for lvs in rest["series"].values() for lv in lvs)
    # A toggle writes the task, its block and their events, after reading the caller.
    toggle = rest["statements"]["toggle_task"]
    assert toggle["writes"] >= 3, toggle
    assert toggle["statements"] > toggle["writes"], toggle

    relay = document["results"]["relay"]["embedded"]
    assert relay["status"] == "ok", relay
    assert relay["sustained"]["events_per_s"] > 0
    assert relay["backlog"]["dispatched_per_s"] > 0
    assert relay["backlog"]["complete"]

    assert "## 1. REST mix" in report.render(document)
    assert (docs.read_bytes() if docs.exists() else None) == docs_before


async def test_a_failed_scenario_keeps_what_it_reported(tmp_path: Path) -> None:
    """A long scenario saves each step as it completes (``ctx.partial``): a run that fails
    or is stopped later still has those figures, in the file and in the report."""

    async def steps(ctx: Context) -> dict[str, Any]:
        ctx.partial({"steps": [1]})
        ctx.partial({"steps": [1, 2]})
        raise RuntimeError("out of disk")

    scenario = Scenario("grows", "Grows", "", steps, lambda _r: [], lambda _r: [])
    path = tmp_path / "run.json"
    document: dict[str, Any] = {"results": {"grows": {}}}
    ctx = Context("embedded", PROFILES["tiny"], cast(Backend, None), tmp_path)
    entry = await run_scenario(scenario, ctx, document, path)
    assert (entry["status"], entry["steps"]) == ("partial", [1, 2])
    assert "out of disk" in entry["error"]
    saved = json.loads(path.read_text())["results"]["grows"]["embedded"]
    assert (saved["status"], saved["steps"]) == ("partial", [1, 2])
    assert "**partial** — stopped by `RuntimeError('out of disk')`" in "\n".join(
        report._status_lines({"embedded": entry})
    )


def test_results_of_runs_side_by_side_merge(tmp_path: Path) -> None:
    def run(mode: str, started: str) -> Path:
        path = tmp_path / f"{mode}.json"
        document = {
            "command": f"python -m bench --mode {mode}",
            "started_at": started,
            "finished_at": None if mode == "production" else started,
            "profile": "full",
            "workers": {mode: 1},
            "versions": {mode: "1"},
            "results": {"search": {mode: {"status": "ok"}}},
        }
        path.write_text(json.dumps(document))
        return path

    merged = report.merged([run("embedded", "2026-01-02"), run("production", "2026-01-01")])
    assert set(merged["results"]["search"]) == {"embedded", "production"}
    assert merged["workers"] == {"embedded": 1, "production": 1}
    assert (merged["started_at"], merged["finished_at"]) == ("2026-01-01", None)
