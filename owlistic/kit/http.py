"""Pure ASGI middleware of every HTTP response: request ids, security headers, OPTIONS."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Callable, Iterable

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's (or proxy's) id is kept only if it is short and plain; else a new one is made.
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "owlistic_request_id", default=None
)


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestId:
    """Every request gets an id: in the logs (``kit/logging.py``), error bodies and
    the ``X-Request-ID`` response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode(
            "latin-1"
        )
        request_id = given if _CLIENT_REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


# The web app loads only its own files; the inline theme script is allowed by its hash. No
# inline style either: the editor's base styles are in the stylesheet, and the app sets styles
# through the CSSOM (``element.style``), which the policy does not restrict.
def app_csp(script_hashes: tuple[str, ...] = ()) -> str:
    scripts = " ".join(["'self'", *(f"'{h}'" for h in script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with inline start-up code.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """On every HTTP response; HSTS only when the request came over TLS (``scheme`` is
    https directly, or from X-Forwarded-Proto of a trusted proxy)."""

    def __init__(self, app: ASGIApp, *, csp: Callable[[], str], hsts_max_age_seconds: int) -> None:
        self.app = app
        self._csp = csp
        self._hsts = f"max-age={hsts_max_age_seconds}; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else self._csp()
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if tls:
                    headers.setdefault("Strict-Transport-Security", self._hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def documented_routes(routes: Iterable[BaseRoute]) -> dict[str, frozenset[str]]:
    """Path template -> methods, as the OpenAPI schema documents them, read from the routes:
    building the schema takes longer than importing the app, and the first request (the
    metrics' path template) must not wait for it."""
    found: dict[str, set[str]] = {}
    # Included routers are wrappers: their contexts carry the prefixed paths.
    for route in iter_route_contexts(list(routes)):
        path, methods = route.path_format, route.methods or set()
        if isinstance(route.original_route, APIRoute) and route.include_in_schema and path:
            found.setdefault(path, set()).update(m.upper() for m in methods)
    return {path: frozenset(methods) for path, methods in found.items()}


class DocumentedMethods:
    """The methods the OpenAPI schema documents for a concrete path (built on first use)."""

    def __init__(self, paths: Callable[[], dict[str, frozenset[str]]]) -> None:
        self._source = paths
        self._paths: list[tuple[re.Pattern[str], str, frozenset[str]]] | None = None
        self._any: re.Pattern[str] | None = None

    @staticmethod
    def _pattern(template: str) -> str:
        return re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))

    def _table(self) -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
        if self._paths is None:
            self._paths = [
                (re.compile("^" + self._pattern(p) + "$"), p, methods)
                for p, methods in self._source().items()
            ]
            # Every template as one alternation: a request's template (the metrics' label)
            # is one match, not one per documented path.
            self._any = re.compile(
                "^(?:" + "|".join(f"({self._pattern(p)})" for _, p, _ in self._paths) + ")$"
            )
        return self._paths

    def __call__(self, path: str) -> frozenset[str]:
        return frozenset().union(*(m for pattern, _, m in self._table() if pattern.match(path)))

    def template(self, path: str) -> str | None:
        """The documented path template (``/api/v1/notes/{note_id}``) ``path`` falls under:
        the first that matches, in the order of the routes."""
        table = self._table()
        found = self._any.match(path) if self._any is not None else None
        return table[found.lastindex - 1][1] if found and found.lastindex else None


class AnswerOptions:
    """``OPTIONS`` that is not a CORS preflight (which CORSMiddleware answers) gets 204 with
    the ``Allow`` methods the OpenAPI schema documents for the path, instead of 405."""

    def __init__(self, app: ASGIApp, *, methods: DocumentedMethods) -> None:
        self.app = app
        self._methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods = self._methods(scope["path"])
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        await send(
            {"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]}
        )
        await send({"type": "http.response.body", "body": b""})
