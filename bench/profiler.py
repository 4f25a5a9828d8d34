"""Optional sampling profile of the server with py-spy (``--profile``; ``pip install py-spy``).

py-spy attaches to the running server, writes collapsed stacks, and the summary (where
the server's CPU time goes) is stored beside the results.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

RATE_HZ = 100
# ``--subprocesses`` puts ``process <pid>:"<command line>";`` frames before each stack.
PROCESS_FRAMES = re.compile(r'^(?:process \d+:"[^"]*";)+')


def find_py_spy() -> str | None:
    """On PATH, or installed beside this interpreter (the dev dependency in the venv)."""
    beside = Path(sys.executable).parent / "py-spy"
    return shutil.which("py-spy") or (str(beside) if beside.is_file() else None)


class Recording:
    def __init__(self, executable: str, pid: int, output: Path) -> None:
        self.output = output
        self._proc = subprocess.Popen(
            [
                executable,
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(RATE_HZ),
                "--nonblocking",
                "--threads",
                "--subprocesses",  # a server with workers: the workers do the work
                "--format",
                "raw",
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def stop(self) -> dict[str, Any]:
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
        for _ in range(200):
            if self._proc.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            self._proc.kill()
        try:
            return summarize(self.output) if self.output.exists() else {}
        except (OSError, ValueError, IndexError) as exc:  # a profile never fails a scenario
            return {"file": self.output.name, "error": repr(exc)}


# Leaf frames of a thread that waits (py-spy's idle detection does not work everywhere).
IDLE_LEAVES = ("Condition.wait", "Event.wait", "Thread._wait_for_tstate_lock", "select")
# The event loop's own frame: uvloop's C code (socket I/O, callbacks) or waiting in epoll.
LOOP_LEAF = "Runner.run"
LIBRARIES = (
    "sqlalchemy",
    "pydantic",
    "pydantic_core",
    "fastapi",
    "starlette",
    "uvicorn",
    "aiosqlite",
    "asyncpg",
    "aiokafka",
    "websockets",
    "jwt",
    "json",
    "asyncio",
    "logging",
    "anyio",
    "greenlet",
)


def _frame_name(frame: str) -> str:
    """``function (path/to/module.py:123)`` -> ``function (module/path.py)``."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3.11/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def _area(frame: str) -> str:
    path = frame.rpartition(" (")[2]
    top = path.split("/", 1)[0].removesuffix(".py)").removesuffix(")")
    if top == "owlistic" or top in LIBRARIES:
        return top
    return "other"


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    """Where the server's active samples are, from py-spy's collapsed stacks (``--threads``)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    idle = loop = active = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = PROCESS_FRAMES.sub("", line).rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        parts = stack.split(";")
        thread = parts[0].partition(": ")[2] or parts[0] if parts[0].startswith("thread (") else "?"
        frames = [_frame_name(f) for f in parts if " (" in f and not f.startswith("thread (")]
        if not frames:
            continue
        threads[thread] += count
        leaf = frames[-1].split(" (")[0]
        if leaf in IDLE_LEAVES:
            idle += count
            continue
        if leaf == LOOP_LEAF:
            loop += count
            continue
        active += count
        own[frames[-1]] += count
        areas[_area(frames[-1])] += count
        for frame in set(frames):
            if frame.rpartition(" (")[2].startswith("owlistic/"):
                inclusive[frame] += count

    def share(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"name": name, "pct": round(100 * n / active, 1) if active else 0.0}
            for name, n in counter.most_common(top)
        ]

    return {
        "file": path.name,
        "samples": idle + loop + active,
        "active_samples": active,
        "event_loop_or_idle_samples": loop,
        "idle_samples": idle,
        "threads": dict(threads),
        "note": "percentages are of active samples; SQLAlchemy's greenlet frames appear "
        "without their owlistic callers",
        "self_by_library": share(areas),
        "self_top": share(own),
        "owlistic_inclusive_top": share(inclusive),
    }
