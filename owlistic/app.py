"""The ASGI application: routers, error rendering, middleware and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from owlistic import __version__
from owlistic.auth.endpoints import router as auth_router
from owlistic.auth.service import auth
from owlistic.block.endpoints import router as block_router
from owlistic.calendar.endpoints import router as calendar_router
from owlistic.collab import rest as collab_rest
from owlistic.collab.endpoints import router as collab_router
from owlistic.collab.service import Collab
from owlistic.events.pipeline import EventPipeline
from owlistic.favourite.endpoints import router as favourite_router
from owlistic.health.endpoints import router as health_router
from owlistic.kit.db import Database
from owlistic.kit.errors import OwlisticError
from owlistic.kit.logging import install_redaction
from owlistic.kit.middleware import BodySizeLimit, StripTrailingSlash
from owlistic.kit.periodic import Periodic
from owlistic.kit.responses import errors
from owlistic.migrations.runner import upgrade
from owlistic.note.endpoints import router as note_router
from owlistic.notebook.endpoints import router as notebook_router
from owlistic.push.endpoints import router as push_router
from owlistic.realtime import catalog
from owlistic.realtime.gateway import router as ws_router
from owlistic.realtime.hub import Hub
from owlistic.reminder.lifecycle import Reminders
from owlistic.role.endpoints import router as role_router
from owlistic.runtime import Runtime
from owlistic.search import indexer
from owlistic.search.endpoints import router as search_router
from owlistic.settings import Settings, get_settings
from owlistic.tag.endpoints import router as tag_router
from owlistic.task import sync as task_sync
from owlistic.task.endpoints import router as task_router
from owlistic.trash.endpoints import router as trash_router
from owlistic.user.endpoints import account_router
from owlistic.user.endpoints import router as user_router
from owlistic.web.static import mount_web_app

log = logging.getLogger("owlistic")

HOUSEKEEPING_SECONDS = 600.0


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OwlisticError)
    async def _domain(_: Request, exc: OwlisticError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse({"error": "malformed JSON body"}, status_code=400)
        return JSONResponse(
            {
                "error": _validation_message(exc),
                "detail": [
                    {"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")}
                    for e in errors
                ],
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a client error: logged with its traceback, answered in the usual shape.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal server error"}, status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404:
            message = "not found"
        elif exc.status_code == 405:
            message = "method not allowed"
        return JSONResponse(
            {"error": message}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )


def _document_body_errors(app: FastAPI) -> None:
    """Every route that takes a body can also answer 400 (malformed JSON) and 413; the
    components also describe the WebSocket events (``ServerEvent``)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        for code, spec in errors(400, 413).items():
                            operation["responses"].setdefault(
                                str(code),
                                {
                                    "description": spec["description"],
                                    "content": {
                                        "application/json": {
                                            "schema": {"$ref": "#/components/schemas/ErrorBody"}
                                        }
                                    },
                                },
                            )
            # The WebSocket events' schemas, beside the REST ones (the web app's types).
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            events = catalog.event_schemas()
            clash = components.keys() & events.keys()
            if clash:
                raise RuntimeError(f"event schema names clash with REST ones: {sorted(clash)}")
            components.update(events)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_redaction()
    indexer.install()
    catalog.install()
    task_sync.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        await upgrade(db.engine)
        events = EventPipeline(db, settings)
        await events.open()
        hub = Hub(events.broker, events.topics)
        await hub.start()  # before the relay, so the backlog it sends reaches this instance
        events.start_relay()
        pruner = Periodic("revocation-pruner", HOUSEKEEPING_SECONDS, lambda: auth.prune(db))
        pruner.start()
        reminders = Reminders(db, settings)
        reminders.start()
        app.state.push = reminders.push
        app.state.runtime = Runtime(
            settings=settings, db=db, jwt_secret=settings.resolve_jwt_secret(), events=events
        )
        app.state.hub = hub
        collab = Collab(app.state.runtime, events.broker)
        await collab.start()
        hub.listen(collab.on_event)
        collab_rest.install(db, collab)
        app.state.collab = collab
        try:
            yield
        finally:
            await reminders.stop()
            await pruner.stop()
            await collab.stop()
            await events.stop_relay()
            await hub.stop()
            await events.close()
            await db.dispose()

    app = FastAPI(
        title="Owlistic",
        version=__version__,
        description="Self-hosted, real-time notes and to-do server. "
        "Errors are JSON objects with an `error` message.",
        lifespan=lifespan,
    )
    _install_error_handlers(app)

    api = APIRouter(prefix="/api/v1")
    for router in (
        account_router,
        auth_router,
        user_router,
        notebook_router,
        note_router,
        block_router,
        task_router,
        trash_router,
        role_router,
        search_router,
        tag_router,
        favourite_router,
        push_router,
        calendar_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(ws_router)
    app.include_router(collab_router)
    app.include_router(health_router)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials="*" not in settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["X-Total-Count"],
        max_age=43200,
    )
    app.add_middleware(StripTrailingSlash)
    mount_web_app(app, settings.web_dist)
    _document_body_errors(app)
    return app
