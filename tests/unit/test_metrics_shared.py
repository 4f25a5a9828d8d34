"""The workers' shared metrics directory (``metrics/shared.py``): counts of every worker add
up, dead ones included; open sockets only of the workers still alive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from owlistic.metrics.files import registry_of
from owlistic.metrics.shared import ENV

# A worker: counts 2 requests and holds ``sockets`` open, until its stdin closes.
WORKER = """
import sys
import prometheus_client as p
p.Counter("owlistic_t_requests", "r").inc(2)
p.Gauge("owlistic_t_sockets", "s", multiprocess_mode="livesum").set(int(sys.argv[1]))
print("ready", flush=True)
sys.stdin.read()
"""


def start_worker(directory: Path, sockets: int) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(sockets)],
        env={ENV: str(directory)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline() == "ready\n"
    return worker


def scraped(directory: Path) -> dict[str, float]:
    text = generate_latest(registry_of(str(directory))).decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("owlistic_t_")
    }


def test_counts_add_up_and_dead_workers_hold_no_sockets(tmp_path: Path) -> None:
    first, second = start_worker(tmp_path, 3), start_worker(tmp_path, 4)
    try:
        assert scraped(tmp_path) == {"owlistic_t_requests_total": 4.0, "owlistic_t_sockets": 7.0}
        first.communicate("")  # the worker ends (uvicorn would start another)
        assert scraped(tmp_path) == {"owlistic_t_requests_total": 4.0, "owlistic_t_sockets": 4.0}
    finally:
        for worker in (first, second):
            if worker.poll() is None:
                worker.communicate("")
