"""The WebSocket endpoint: ``/ws`` (the original client's path) and ``/api/v1/ws``."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from owlistic.auth.dependencies import authenticate
from owlistic.kit.errors import Unauthorized
from owlistic.realtime.connection import Connection
from owlistic.realtime.hub import hub_of
from owlistic.realtime.resume import replay
from owlistic.runtime import Runtime

router = APIRouter(tags=["realtime"])

CLOSE_UNAUTHORIZED = 4401


def token_of(websocket: WebSocket) -> str | None:
    token = websocket.query_params.get("token")
    if token:
        return token
    parts = websocket.headers.get("authorization", "").split(" ")
    if len(parts) == 2 and parts[0] == "Bearer" and parts[1]:
        return parts[1]
    return None


async def deny(
    websocket: WebSocket, message: str, status: int = 401, code: int = CLOSE_UNAUTHORIZED
) -> None:
    """An HTTP error before the upgrade where the server allows it; else close with ``code``."""
    try:
        await websocket.send_denial_response(JSONResponse({"error": message}, status_code=status))
    except RuntimeError:
        await websocket.close(code, message[:120])


@router.websocket("/ws")
@router.websocket("/api/v1/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    token = token_of(websocket)
    if token is None:
        await deny(websocket, "Authentication token required")
        return
    try:
        async with runtime.db.session(readonly=True) as session:
            user_id = str((await authenticate(session, runtime, token)).id)
    except Unauthorized as exc:
        await deny(websocket, exc.message)
        return

    settings = runtime.settings
    hub = hub_of(websocket.app)
    since = websocket.query_params.get("since") or None
    connection = Connection(
        user_id,
        queue_size=settings.ws_queue_size,
        max_message_bytes=settings.ws_max_message_bytes,
        last_event_id=since,
    )
    await websocket.accept()
    # Attach first: live events queue up while the replay runs, so none falls in between.
    hub.attach(connection)
    try:
        if since is not None:
            await replay(
                runtime.db, websocket, connection, since=since, limit=settings.ws_resume_limit
            )
        await connection.run(websocket)
    except WebSocketDisconnect:
        pass  # left during the replay
    finally:
        hub.detach(connection)
