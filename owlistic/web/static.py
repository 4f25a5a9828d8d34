"""Serves the built web app at ``/`` with SPA fallback and sensible caching."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def mount_web_app(app: FastAPI, dist: Path) -> None:
    dist = dist.resolve()

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def web_app(path: str, request: Request) -> Response:
        if path.startswith(("api/", "ws")):
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
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})
