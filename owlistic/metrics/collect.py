"""Prometheus metrics of one server (``prometheus-client``), in the app's own registry, or
added up over every worker of ``owlistic serve --workers N`` (``shared.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from owlistic.events.repository import OutboxStats
from owlistic.kit.time import utcnow
from owlistic.metrics import shared
from owlistic.metrics.files import registry_of
from owlistic.realtime.hub import Hub
from owlistic.runtime import Runtime


class _Mirrored:
    """A count kept by a component (a plain int on its hot path), carried into a counter
    by the increase since the last copy."""

    def __init__(self, counter: Counter, read: Callable[[], int]) -> None:
        self._counter = counter
        self._read = read
        self._copied = 0

    def copy(self) -> None:
        now = self._read()
        if now > self._copied:
            self._counter.inc(now - self._copied)
            self._copied = now


class Metrics:
    def __init__(self, app: Starlette) -> None:
        self._state = app.state
        self.registry = CollectorRegistry()
        path = shared.directory()
        # What a scrape reads: this process's registry, or every worker's files.
        self.exposed = self.registry if path is None else registry_of(path)
        self.requests = Counter(
            "owlistic_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "owlistic_http_request_duration_seconds",
            "HTTP request latency by route template and method",
            ["route", "method"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.sockets = Gauge(
            "owlistic_websockets_open",
            "Open WebSockets (all kinds)",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.received = Counter(
            "owlistic_events_received",
            "Broker messages the WebSocket hubs took in (each worker's hub takes in every event)",
            registry=self.registry,
        )
        self.published = Counter(
            "owlistic_events_published",
            "Outbox events the relays published to the broker",
            registry=self.registry,
        )
        self.relay_errors = Counter(
            "owlistic_relay_errors",
            "Relay runs that failed (broker or database away, or a bug)",
            registry=self.registry,
        )
        # The outbox is one table: the latest reading by any worker is the answer.
        self.outbox_pending = Gauge(
            "owlistic_outbox_pending",
            "Events not yet dispatched",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.outbox_lag = Gauge(
            "owlistic_outbox_lag_seconds",
            "Age of the oldest undispatched event (0 if none)",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self._mirrored: list[_Mirrored] = []

    def copy_components(self) -> None:
        """Bring the figures the running components keep into the metrics (no bookkeeping
        on their hot paths). Called before a scrape, and every second by each worker so
        that a scrape of another worker sees them."""
        hub: Hub | None = getattr(self._state, "hub", None)
        runtime: Runtime | None = getattr(self._state, "runtime", None)
        if not self._mirrored and hub is not None and runtime is not None:
            relay = runtime.events.relay
            self._mirrored = [
                _Mirrored(self.received, lambda: hub.received_total),
                _Mirrored(self.published, lambda: relay.published_total),
                _Mirrored(self.relay_errors, lambda: relay.errors_total),
            ]
        for mirrored in self._mirrored:
            mirrored.copy()
        if hub is not None:
            self.sockets.set(hub.registry.count())

    def record_outbox(self, stats: OutboxStats) -> None:
        self.outbox_pending.set(stats.pending)
        oldest = stats.oldest_pending_at
        self.outbox_lag.set(0.0 if oldest is None else (utcnow() - oldest).total_seconds())


def metrics_of(app: Starlette) -> Metrics:
    value: Metrics = app.state.metrics
    return value


class RequestMetrics:
    """Counts every HTTP request by its route template (``/api/v1/notes/{note_id}``, not
    the concrete path, so the number of series stays bounded)."""

    def __init__(self, app: ASGIApp, *, templates: Callable[[str], str | None]) -> None:
        self.app = app
        self._templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            metrics: Metrics | None = getattr(scope["app"].state, "metrics", None)
            if metrics is not None:
                path = scope["path"]
                template = self._templates(path) or (
                    "api (undocumented)" if path.startswith("/api/") else "web app"
                )
                method = scope["method"]
                metrics.requests.labels(template, method, str(status)).inc()
                metrics.latency.labels(template, method).observe(time.perf_counter() - start)
