"""What a scenario gets: the mode, the sizes, and a way to start a fresh server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.backends import Backend, Mode
from bench.profiler import Recording
from bench.profiles import Profile
from bench.server import Server, running


@dataclass
class Context:
    mode: Mode
    profile: Profile
    backend: Backend
    out_dir: Path  # server logs and profiles of this run
    py_spy: str | None = None
    # ``--baseline``: a checkout of the code to compare against, run beside this one.
    baseline: Path | None = None
    profiles: dict[str, Any] = field(default_factory=dict)
    # Set by the runner for each scenario: records (and saves) what it measured so far.
    progress: Callable[[dict[str, Any]], None] = field(default=lambda _result: None)

    def partial(self, result: dict[str, Any]) -> None:
        """What a long scenario measured so far (e.g. each size as it completes): saved in
        the results file at once, so a run stopped or failed later still reports it."""
        self.progress(result)

    @contextlib.asynccontextmanager
    async def server(
        self,
        label: str,
        *,
        profile: bool = True,
        env: dict[str, str] | None = None,
        code: Path | None = None,
    ) -> AsyncIterator[Server]:
        """A server on fresh storage (new SQLite dir, or recreated PostgreSQL database);
        ``env`` adds settings (``OWLISTIC_*`` variables); ``code`` runs another checkout."""
        config = await self.backend.fresh(label)
        config.env |= env or {}
        try:
            async with running(config, self.out_dir, label, code) as server:
                recording = None
                if profile and self.py_spy:
                    output = self.out_dir / f"profile-{self.mode}-{label}.txt"
                    recording = Recording(self.py_spy, server.pid, output)
                try:
                    yield server
                finally:
                    if recording is not None:
                        self.profiles[label] = await recording.stop()
        finally:
            await self.backend.release(config)
