"""Headless Chromium for the scenarios that time the web app: the machine's browser, as the
browser tests use it."""

from __future__ import annotations

import subprocess

from bench.backends import SERVICES


def chromium() -> tuple[str, list[str]]:
    """The browser's path and its launch flags (``scripts/services/chromium.sh``)."""

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(SERVICES / "chromium.sh"), *args], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    return run().splitlines()[-1], run("flags").split()
