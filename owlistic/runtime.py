"""What one server process holds while it runs; built in the app's lifespan, never at import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from owlistic.kit.db import Database
from owlistic.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    jwt_secret: str
    # Components of the real-time pipeline register themselves here (broker, relay, hub).
    components: dict[str, Any] = field(default_factory=dict)
    _on_commit: list[Callable[[], None]] = field(default_factory=list)

    def on_outbox_committed(self, callback: Callable[[], None]) -> None:
        self._on_commit.append(callback)

    def outbox_committed(self) -> None:
        """Called after a transaction that wrote outbox rows has committed."""
        for callback in self._on_commit:
            callback()
