"""Prometheus metrics of one server process (``prometheus-client``), in its own registry."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from owlistic.events.repository import OutboxStats
from owlistic.kit.time import utcnow
from owlistic.realtime.hub import Hub
from owlistic.runtime import Runtime


class _Pipeline(Collector):
    """Read at scrape time from the running components (no bookkeeping on hot paths)."""

    def __init__(self, app: Starlette) -> None:
        self._state = app.state
        self.outbox: OutboxStats | None = None  # refreshed by the /metrics endpoint

    def collect(self) -> Iterable[Metric]:
        runtime: Runtime | None = getattr(self._state, "runtime", None)
        hub: Hub | None = getattr(self._state, "hub", None)
        if hub is not None:
            sockets = GaugeMetricFamily(
                "owlistic_websockets_open", "Open WebSockets of this process (all kinds)"
            )
            sockets.add_metric([], hub.registry.count())
            yield sockets
            yield CounterMetricFamily(
                "owlistic_events_received",
                "Broker messages this process's WebSocket hub took in",
                value=hub.received_total,
            )
        if runtime is not None:
            relay = runtime.events.relay
            yield CounterMetricFamily(
                "owlistic_events_published",
                "Outbox events this process's relay published to the broker",
                value=relay.published_total,
            )
            yield CounterMetricFamily(
                "owlistic_relay_errors",
                "Relay runs that failed (broker or database away, or a bug)",
                value=relay.errors_total,
            )
        if self.outbox is not None:
            pending = GaugeMetricFamily("owlistic_outbox_pending", "Events not yet dispatched")
            pending.add_metric([], self.outbox.pending)
            yield pending
            lag = GaugeMetricFamily(
                "owlistic_outbox_lag_seconds", "Age of the oldest undispatched event (0 if none)"
            )
            oldest = self.outbox.oldest_pending_at
            lag.add_metric([], 0.0 if oldest is None else (utcnow() - oldest).total_seconds())
            yield lag


class Metrics:
    def __init__(self, app: Starlette) -> None:
        self.registry = CollectorRegistry()
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
        self.pipeline = _Pipeline(app)
        self.registry.register(self.pipeline)


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
