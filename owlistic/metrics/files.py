"""Reading the workers' shared metrics directory (see ``shared.py``)."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Workers(Collector):
    """Every worker's values. A worker that died (another is started) keeps its counts but
    no longer adds its open sockets: its live gauges are dropped first."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._files = MultiProcessCollector(None, path=path)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable[Metric]:
        for name in glob.glob(os.path.join(self._path, "gauge_live*.db")):
            found = _LIVE_GAUGE_FILE.fullmatch(os.path.basename(name))
            if found and not _alive(int(found.group(1))):
                mark_process_dead(int(found.group(1)), self._path)  # type: ignore[no-untyped-call]
        metrics: Iterable[Metric] = self._files.collect()  # type: ignore[no-untyped-call]
        return metrics


def registry_of(path: str) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(_Workers(path))
    return registry
