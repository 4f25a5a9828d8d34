"""Prometheus metrics: admins (or the separate metrics port) see requests by route and
status, latency histograms, open WebSockets, outbox lag, relay errors and event counts."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from owlistic.settings import Settings
from tests.api.helpers import API, error_of, notebook_with_note
from tests.conftest import LiveServer, free_port, register, running_server
from tests.realtime.test_revocation import make_admin
from tests.realtime.wsclient import ws_connect


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_are_admin_only_and_cover_the_pipeline(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    user, admin = await register(client), await register(client)
    await make_admin(server.app.state.runtime, admin)
    error_of(await client.get("/metrics"), 401)
    error_of(await client.get("/metrics", headers=user.headers), 403)
    await notebook_with_note(client, user)
    error_of(await client.get(f"{API}/notes/not-a-uuid", headers=user.headers), 422)
    async with ws_connect(server, user):
        r = await client.get("/metrics", headers=admin.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    found = samples(r.text)
    names = {name for name, _ in found}
    created = (
        "owlistic_http_requests_total",
        frozenset({("route", "/api/v1/notes"), ("method", "POST"), ("status", "201")}),
    )
    assert found[created] >= 1
    invalid = (
        "owlistic_http_requests_total",
        frozenset({("route", "/api/v1/notes/{note_id}"), ("method", "GET"), ("status", "422")}),
    )
    assert found[invalid] >= 1
    assert "owlistic_http_request_duration_seconds_bucket" in names
    assert found[("owlistic_websockets_open", frozenset())] >= 1
    assert found[("owlistic_events_published_total", frozenset())] >= 1
    assert ("owlistic_relay_errors_total", frozenset()) in found
    assert ("owlistic_outbox_lag_seconds", frozenset()) in found
    assert ("owlistic_outbox_pending", frozenset()) in found


async def test_metrics_port_serves_without_a_token(settings: Settings) -> None:
    port = free_port()
    async with (
        running_server(settings.model_copy(update={"metrics_port": port})),
        httpx.AsyncClient(timeout=30) as c,
    ):
        r = await c.get(f"http://127.0.0.1:{port}/metrics")
    assert r.status_code == 200
    assert "owlistic_outbox_pending" in r.text
