"""The benchmark harness runs end to end at tiny sizes (embedded mode, a few seconds).

Nothing here asserts a time: the machine running the tests may be busy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import report
from bench.stats import percentile, summarize

REPO = Path(__file__).resolve().parents[2]
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

    relay = document["results"]["relay"]["embedded"]
    assert relay["status"] == "ok", relay
    assert relay["sustained"]["events_per_s"] > 0
    assert relay["backlog"]["dispatched_per_s"] > 0
    assert relay["backlog"]["complete"]

    assert "## 1. REST mix" in report.render(document)
    assert (docs.read_bytes() if docs.exists() else None) == docs_before
