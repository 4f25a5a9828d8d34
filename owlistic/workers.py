"""``owlistic serve --workers N``: the app is built once, then N worker processes are forked.

uvicorn's own workers are fresh interpreters that each import and build everything again
(seconds of CPU per worker; on a busy machine its 5 s health check killed workers still
importing, over and over). Forked from a parent that has already imported and built the
app, the workers start at once and share its pages copy-on-write (until they write to
them: see docs/benchmarks.md for how much stays shared). Nothing connects or starts a
thread before the lifespan, which runs in each worker, so a child inherits no connection,
event loop or thread of the parent's.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from owlistic.settings import Settings

log = logging.getLogger("uvicorn.error")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _worker(config: uvicorn.Config, sock: object) -> int:
    """In the child: serve until told to stop; the exit code says whether it ever started."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own handlers in ``run``
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])  # type: ignore[list-item]
    except SystemExit as exc:  # uvicorn's own: STARTUP_FAILURE when the lifespan failed
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("worker [%d] failed", os.getpid())
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0 if server.started else STARTUP_FAILURE


def preload(settings: Settings) -> None:
    """Imports what each worker's lifespan would otherwise import on its own, once per worker:
    the PostgreSQL driver and the Kafka client (workers need both) and, with blobs in S3, the
    S3 client (~20 MiB). Imported before the fork, their pages are shared."""
    import asyncpg  # noqa: F401

    from owlistic.events.broker import kafka  # noqa: F401

    if settings.effective_storage_url.lower().startswith("s3://"):
        import aiobotocore.session  # noqa: F401


def serve(config: uvicorn.Config, workers: int) -> int:
    """Runs ``workers`` forked servers on one listening socket until SIGINT/SIGTERM, replacing
    a worker that dies. A worker that fails to start (its lifespan raised: bad database,
    broker, ...) stops them all, as every replacement would fail the same way."""
    config.load()
    sock = config.bind_socket()
    # Objects that exist now are never collected again, so no collection in a worker writes
    # to (and un-shares) the pages they live on.
    gc.collect()
    gc.freeze()
    running: set[int] = set()
    stopping = False
    code = 0

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in running:
            os.kill(pid, signal.SIGTERM)

    def start() -> None:
        pid = os.fork()
        if pid == 0:
            os._exit(_worker(config, sock))
        running.add(pid)

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    log.info("Started parent process [%d] with %d workers", os.getpid(), workers)
    for _ in range(workers):
        start()
    while running:
        pid, status = os.wait()
        running.discard(pid)
        exited = os.waitstatus_to_exitcode(status)
        if stopping:
            continue
        if exited == STARTUP_FAILURE:
            log.error("worker [%d] failed to start; stopping", pid)
            code = STARTUP_FAILURE
            stop(signal.SIGTERM, None)
            continue
        log.warning("worker [%d] exited (%d); starting another", pid, exited)
        start()
    sock.close()
    log.info("Stopping parent process [%d]", os.getpid())
    return code
