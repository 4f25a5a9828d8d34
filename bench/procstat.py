"""Process and machine figures from ``/proc`` (Linux): CPU time, RSS, cores, memory."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from every thread's ``children`` list)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (a server with workers: the parent and the workers)."""
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue += children(current)
    return tree


def own_cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` alone (all its threads), in seconds."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name may contain spaces; fields after the closing parenthesis are fixed.
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _own_memory_kib(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants (all threads), in seconds.

    Descendants that exited (and were waited for) count in the parent's ``cutime``/``cstime``
    only; live ones are summed here.
    """
    total = own_cpu_seconds(pid)
    for child in process_tree(pid)[1:]:
        with contextlib.suppress(OSError):  # it may exit between listing and reading
            total += own_cpu_seconds(child)
    return total


def memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` (current) and ``VmHWM`` (peak) in KiB, summed over ``pid`` and its
    descendants (the peak is then the sum of each process's own peak)."""
    found = _own_memory_kib(pid)
    for child in process_tree(pid)[1:]:
        with contextlib.suppress(OSError):
            for name, kib in _own_memory_kib(child).items():
                found[name] = found.get(name, 0) + kib
    return found


def pss_kib(pid: int) -> int:
    """Proportional set size summed over ``pid`` and its descendants: each page shared by k
    processes counts 1/k in each, so pages the workers share with their parent (forked
    after the app is built) count once, where the summed ``VmRSS`` counts them per process."""
    total = 0
    for proc in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
                name, _, value = line.partition(":")
                if name == "Pss":
                    total += int(value.split()[0])
    return total


def rss_mib(pid: int) -> float:
    return round(memory_kib(pid).get("VmRSS", 0) / 1024, 1)


def system_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from ``/proc/stat``."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [float(v) for v in first]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)
    total = sum(values[:8])
    return total - idle, total


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count() or 0,
        "cpu_model": model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
    }


@dataclass
class Window:
    """CPU and memory of the server (and of this load-generating process) over a phase."""

    pid: int
    started: float = field(default_factory=time.perf_counter)
    server_cpu0: float = 0.0
    client_cpu0: float = 0.0
    system0: tuple[float, float] = (0.0, 0.0)
    peak_rss_kib: int = 0
    _task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.server_cpu0 = cpu_seconds(self.pid)
        self.client_cpu0 = own_cpu_seconds(os.getpid())
        self.system0 = system_cpu()
        self.peak_rss_kib = memory_kib(self.pid).get("VmRSS", 0)

    def start_sampling(self, interval: float = 0.2) -> Window:
        self._task = asyncio.create_task(self._sample(interval))
        return self

    async def _sample(self, interval: float) -> None:
        with contextlib.suppress(OSError):
            while True:
                rss = memory_kib(self.pid).get("VmRSS", 0)
                self.peak_rss_kib = max(self.peak_rss_kib, rss)
                await asyncio.sleep(interval)

    async def finish(self) -> dict[str, Any]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        wall = time.perf_counter() - self.started
        mem = memory_kib(self.pid)
        self.peak_rss_kib = max(self.peak_rss_kib, mem.get("VmRSS", 0))
        busy, total = system_cpu()
        d_total = total - self.system0[1]
        return {
            "seconds": round(wall, 3),
            "server_cpu_pct": round(100 * (cpu_seconds(self.pid) - self.server_cpu0) / wall, 1),
            "client_cpu_pct": round(
                100 * (own_cpu_seconds(os.getpid()) - self.client_cpu0) / wall, 1
            ),
            "machine_cpu_pct": round(100 * (busy - self.system0[0]) / d_total, 1)
            if d_total > 0
            else 0.0,
            "server_rss_mib": round(mem.get("VmRSS", 0) / 1024, 1),
            "server_rss_peak_mib": round(self.peak_rss_kib / 1024, 1),
            "server_hwm_mib": round(mem.get("VmHWM", 0) / 1024, 1),
        }
