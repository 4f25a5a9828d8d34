"""Metrics of ``owlistic serve --workers N``: one directory shared by the workers.

prometheus-client's multiprocess mode keeps each worker's values in memory-mapped files in
the directory named by ``PROMETHEUS_MULTIPROC_DIR``; a scrape of any worker, or of the
metrics port (served by the parent here), adds them up (``files.py``). prometheus-client
reads the variable when it is first imported, and the workers are forked from the parent,
so the parent sets it before anything imports prometheus-client: this module imports it
only once the variable is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator

from owlistic.settings import Settings

ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "owlistic-metrics-"  # of the directory's name, in the system's temporary directory


def directory() -> str | None:
    """The shared directory when this process is one of several workers."""
    return os.environ.get(ENV)


@contextlib.contextmanager
def across_workers(settings: Settings) -> Iterator[None]:
    """Around the parent's run: the directory exists while the workers do, and is removed
    (with every worker's files) when the server stops. ``OWLISTIC_METRICS_PORT`` is served
    from here, since only one process can listen on it."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus-client was imported before its directory was set")
    path = tempfile.mkdtemp(prefix=PREFIX)
    os.environ[ENV] = path
    try:
        with contextlib.ExitStack() as stack:
            if settings.metrics_port is not None:
                from prometheus_client import start_http_server

                from owlistic.metrics.files import registry_of

                server, thread = start_http_server(
                    settings.metrics_port, addr=settings.host, registry=registry_of(path)
                )
                stack.callback(thread.join, 5)
                stack.callback(server.shutdown)
            yield
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(path, ignore_errors=True)
