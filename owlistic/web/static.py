"""Serves the built web app at ``/`` with SPA fallback, caching and precompressed files."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from owlistic.web.precompress import ENCODINGS

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(dist: Path) -> tuple[str, ...]:
    """CSP hashes of the inline scripts of ``index.html`` (the theme set before first paint)."""
    index = dist / "index.html"
    if not index.is_file():
        return ()
    return tuple(
        "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        for body in _INLINE_SCRIPT.findall(index.read_bytes())
    )


def _accepted(request: Request) -> set[str]:
    header = request.headers.get("accept-encoding", "")
    accepted = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if params.strip().replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(name.strip().lower())
    return accepted


def _file(request: Request, path: Path, cache: str) -> FileResponse:
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    accepted = _accepted(request)
    for suffix, encoding in ENCODINGS.items():
        variant = path.with_name(path.name + suffix)
        if encoding in accepted and variant.is_file():
            return FileResponse(
                variant,
                headers=headers | {"Content-Encoding": encoding},
                media_type=FileResponse(path).media_type,
            )
    return FileResponse(path, headers=headers)


def mount_web_app(
    app: FastAPI, dist: Path, api_methods: Callable[[str], frozenset[str]]
) -> None:
    dist = dist.resolve()

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def web_app(path: str, request: Request) -> Response:
        if path.startswith(("api/", "ws")):
            allowed = api_methods(request.url.path)
            if allowed:  # an API path without GET: the method is wrong, not the path
                return JSONResponse(
                    {"error": "method not allowed"},
                    status_code=405,
                    headers={"Allow": ", ".join(sorted(allowed))},
                )
            return JSONResponse({"error": "not found"}, status_code=404)
        index = dist / "index.html"
        if not index.is_file():
            return JSONResponse(
                {"error": "the web app is not built; run `make web` (or `make run`)"},
                status_code=404,
            )
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            # Vite puts content hashes in asset names, so those never change.
            cache = IMMUTABLE if path.startswith("assets/") else REVALIDATE
            return _file(request, candidate, cache)
        return _file(request, index, REVALIDATE)
