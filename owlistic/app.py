"""The ASGI application: routers, error rendering, middleware and the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette_compress import CompressMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from owlistic import __version__
from owlistic.attachment.endpoints import router as attachment_router
from owlistic.attachment.keys import ATTACHMENTS_PATH
from owlistic.attachment.lifecycle import Attachments
from owlistic.attachment.upload import too_large
from owlistic.auth import revocation
from owlistic.auth.endpoints import router as auth_router
from owlistic.auth.service import auth
from owlistic.block.endpoints import router as block_router
from owlistic.calendar.endpoints import router as calendar_router
from owlistic.collab import rest as collab_rest
from owlistic.collab.endpoints import router as collab_router
from owlistic.collab.service import Collab
from owlistic.events.broker import BrokerUnavailable, topic_name
from owlistic.events.pipeline import EventPipeline
from owlistic.favourite.endpoints import router as favourite_router
from owlistic.health.endpoints import router as health_router
from owlistic.kit.db import Database
from owlistic.kit.errors import OwlisticError
from owlistic.kit.http import (
    AnswerOptions,
    DocumentedMethods,
    RequestId,
    SecurityHeaders,
    app_csp,
    current_request_id,
    documented_routes,
)
from owlistic.kit.logging import install_redaction
from owlistic.kit.middleware import BodySizeLimit, StripTrailingSlash
from owlistic.kit.openapi import state_input_rules
from owlistic.kit.periodic import Periodic
from owlistic.kit.responses import errors
from owlistic.kit.time import zone_schema
from owlistic.metrics.collect import Metrics, RequestMetrics
from owlistic.metrics.endpoints import publish as publish_metrics
from owlistic.metrics.endpoints import router as metrics_router
from owlistic.migrations.runner import upgrade
from owlistic.note.endpoints import IMPORT_PATH
from owlistic.note.endpoints import import_router as note_import_router
from owlistic.note.endpoints import router as note_router
from owlistic.note.tags import tag_schemas
from owlistic.notebook.endpoints import router as notebook_router
from owlistic.push.endpoints import router as push_router
from owlistic.realtime import catalog
from owlistic.realtime.gateway import router as ws_router
from owlistic.realtime.hub import Hub
from owlistic.realtime.registry import ConnectionRegistry
from owlistic.reminder.lifecycle import Reminders
from owlistic.role.endpoints import router as role_router
from owlistic.runtime import Runtime
from owlistic.search import indexer
from owlistic.search.endpoints import router as search_router
from owlistic.search.schemas import search_schemas
from owlistic.settings import Settings, get_settings
from owlistic.tag.endpoints import router as tag_router
from owlistic.task import sync as task_sync
from owlistic.task.endpoints import router as task_router
from owlistic.trash.endpoints import router as trash_router
from owlistic.user.endpoints import account_router, admin_router
from owlistic.user.endpoints import router as user_router
from owlistic.web.static import inline_script_hashes, mount_web_app

log = logging.getLogger("owlistic")
MULTIPART_OVERHEAD = 64 * 1024

HOUSEKEEPING_SECONDS = 600.0


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


def _error(
    body: dict[str, Any], status_code: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Every error body: ``{"error": ..., "request_id": ...}`` (and what the error adds)."""
    request_id = current_request_id()
    if request_id is not None:
        body = {**body, "request_id": request_id}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _unavailable(settings: Settings, what: str) -> JSONResponse:
    return _error(
        {"error": f"the {what} is unavailable; retry later"},
        503,
        {"Retry-After": str(settings.unavailable_retry_after_seconds)},
    )


def _install_error_handlers(app: FastAPI, settings: Settings) -> None:
    @app.exception_handler(OwlisticError)
    async def _domain(_: Request, exc: OwlisticError) -> JSONResponse:
        return _error({"error": exc.message, **exc.extra}, exc.status_code, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error({"error": "malformed JSON body"}, 400)
        return _error(
            {
                "error": _validation_message(exc),
                "detail": [
                    {"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")}
                    for e in errors
                ],
            },
            422,
        )

    # The database or broker is away (connection refused, dropped, pool exhausted): the
    # client should retry, this is no bug of ours.
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    @app.exception_handler(ConnectionError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return _unavailable(settings, "database")

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or _is_connection_error(exc.orig):
            return await _database_down(request, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(BrokerUnavailable)
    async def _broker_down(_: Request, exc: BrokerUnavailable) -> JSONResponse:
        return _unavailable(settings, "broker")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a client error: logged with its traceback, answered in the usual shape.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error({"error": "internal server error"}, 500)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404:
            message = "not found"
        elif exc.status_code == 405:
            message = "method not allowed"
        return _error({"error": message}, exc.status_code, getattr(exc, "headers", None))


def _is_connection_error(orig: BaseException | None) -> bool:
    """asyncpg reports a database that went away (dropped, renamed, shutting down) with
    these SQLSTATE classes: 08 connection exception, 57P admin shutdown, 3D000 no database."""
    sqlstate = str(getattr(orig, "sqlstate", "") or getattr(orig, "pgcode", "") or "")
    return sqlstate.startswith(("08", "57P")) or sqlstate == "3D000"


def _document_body_errors(app: FastAPI, settings: Settings) -> None:
    """Every route that takes a body can also answer 400 (malformed JSON) and 413; the
    components also describe the WebSocket events (``ServerEvent``) and the input rules
    that the models name by reference (``kit.schemas.component``)."""
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
            components.update(
                {"TimeZone": zone_schema(), **tag_schemas(settings), **search_schemas(settings)}
            )
            state_input_rules(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_redaction()
    indexer.install()
    catalog.install()
    revocation.install()
    task_sync.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        await upgrade(db.engine)
        events = EventPipeline(db, settings)
        await events.open()
        hub = Hub(
            events.broker,
            events.topics,
            registry=ConnectionRegistry(settings.ws_max_per_user),
            revocation_topic=topic_name(settings.kafka_topic_prefix, revocation.ENTITY),
        )
        await hub.start()  # before the relay, so the backlog it sends reaches this instance
        events.start_relay()
        pruner = Periodic("revocation-pruner", HOUSEKEEPING_SECONDS, lambda: auth.prune(db))
        pruner.start()
        attachments = await Attachments.open(settings, db)
        reminders = Reminders(db, settings)
        reminders.start()
        app.state.push = reminders.push
        runtime = Runtime(
            settings=settings, db=db, jwt_secret=settings.resolve_jwt_secret(), events=events
        )
        app.state.runtime = runtime
        app.state.hub = hub
        metrics = await publish_metrics(app)
        app.state.attachments = attachments
        collab = Collab(app.state.runtime, events.broker)
        await collab.start()
        hub.listen(collab.on_event)
        collab_rest.install(db, collab)
        app.state.collab = collab
        # After collab_rest.install: the blocks it writes reach their notes' documents.
        mirroring = asyncio.create_task(task_sync.mirror_old_schedules(db))
        try:
            yield
        finally:
            mirroring.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await mirroring
            await reminders.stop()
            await metrics.aclose()
            await pruner.stop()
            await attachments.close()
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
    _install_error_handlers(app, settings)
    app.state.metrics = Metrics(app)
    documented = DocumentedMethods(lambda: documented_routes(app.routes))

    api = APIRouter(prefix="/api/v1")
    for router in (
        account_router,
        auth_router,
        user_router,
        notebook_router,
        note_router,
        note_import_router,
        block_router,
        task_router,
        trash_router,
        role_router,
        search_router,
        tag_router,
        favourite_router,
        admin_router,
        attachment_router,
        push_router,
        calendar_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(ws_router)
    app.include_router(collab_router)
    app.include_router(health_router)
    app.include_router(metrics_router)

    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        # An upload's file is checked against its own limit while it streams; this bounds
        # the whole multipart body (the file plus a little framing).
        larger={
            ATTACHMENTS_PATH: settings.attachment_max_bytes + MULTIPART_OVERHEAD,
            IMPORT_PATH: settings.import_max_bytes,
        },
        messages={ATTACHMENTS_PATH: too_large(settings.attachment_max_bytes)},
    )
    app.add_middleware(AnswerOptions, methods=documented)
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
    # Large JSON responses; the web app's files are served precompressed (web/static.py).
    app.add_middleware(CompressMiddleware, minimum_size=settings.compress_min_bytes, zstd=False)
    csp = app_csp(inline_script_hashes(settings.web_dist))
    app.add_middleware(
        SecurityHeaders, csp=lambda: csp, hsts_max_age_seconds=settings.hsts_max_age_seconds
    )
    app.add_middleware(RequestMetrics, templates=documented.template)
    app.add_middleware(RequestId)
    if settings.trusted_proxies:
        # X-Forwarded-For/-Proto from these addresses set the client address and scheme.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    mount_web_app(app, settings.web_dist, documented)
    _document_body_errors(app, settings)
    return app
