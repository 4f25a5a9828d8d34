"""Uvicorn options for the WebSocket heartbeat and size limit (protocol level).

ASGI apps cannot send ping frames nor see pongs, so the server does it: a ping every
``ws_heartbeat_seconds``; a client that has not answered by ``ws_idle_timeout_seconds`` of
silence is dropped. The original Flutter client relies on these protocol-level pings.
"""

from __future__ import annotations

from typing import Any

from owlistic.settings import Settings


def uvicorn_ws_options(settings: Settings) -> dict[str, Any]:
    return {
        "ws": "websockets-sansio",
        # Each endpoint enforces its own limit with a clear close reason; uvicorn only stops
        # frames far beyond both.
        "ws_max_size": 2 * max(settings.ws_max_message_bytes, settings.collab_max_message_bytes),
        # Events are small JSON; compression would cost ~35 KiB of RSS per socket.
        "ws_per_message_deflate": False,
        "ws_ping_interval": settings.ws_heartbeat_seconds,
        "ws_ping_timeout": max(
            1.0, settings.ws_idle_timeout_seconds - settings.ws_heartbeat_seconds
        ),
    }
