"""A job run every ``interval`` seconds in the background (housekeeping), never fatally."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("owlistic")


class Periodic:
    def __init__(self, name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
        self._name = name
        self._interval = interval
        self._job = job
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"owlistic-{self._name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._job()
            except Exception:
                # Housekeeping must not die with one failure (the database may be away).
                log.exception("%s failed; retrying in %.0f s", self._name, self._interval)
            await asyncio.sleep(self._interval)
