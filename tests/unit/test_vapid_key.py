"""The VAPID key generated into the data dir is the same for workers starting together, and
none of them reads it half written (``--workers N`` on a fresh data dir)."""

from __future__ import annotations

import threading
from pathlib import Path

from owlistic.push.vapid import KEY_FILE, load_vapid, public_key
from owlistic.settings import Settings

WORKERS = 8
ROUNDS = 10  # the race is narrow: each round is another chance to lose it


def start(settings: Settings, ready: threading.Barrier, keys: list[str]) -> None:
    ready.wait()  # all at once, as workers forked together do
    try:
        keys.append(public_key(load_vapid(settings)))
    except Exception as exc:  # kept, so the assertion shows what went wrong
        keys.append(f"failed: {exc!r}")


def test_workers_generating_the_key_together_agree_on_it(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        settings = Settings(env="test", data_dir=tmp_path / f"round-{round_}")
        ready = threading.Barrier(WORKERS)
        keys: list[str] = []
        threads = [
            threading.Thread(target=start, args=(settings, ready, keys)) for _ in range(WORKERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(keys) == {public_key(load_vapid(settings))}, keys
        assert [p.name for p in settings.data_dir.iterdir()] == [KEY_FILE], "a draft is left"
