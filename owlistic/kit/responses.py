"""OpenAPI descriptions of the error responses a route can give."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from owlistic.kit.schemas import ErrorBody

_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing, invalid, expired or revoked token",
    403: "Not allowed for this caller",
    404: "No such resource (or the caller may not see it)",
    409: "Conflicts with existing data",
    413: "Request body too large",
    422: "Request body or parameters failed validation",
    429: "Too many attempts: wait for Retry-After seconds",
    503: "The database or broker is unavailable: retry after Retry-After seconds",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in codes}


class RawJSON(Response):
    """A body that is already JSON text in the route's response shape (see ``sqljson``)."""

    media_type = "application/json"

    def __init__(self, body: str, status_code: int = 200) -> None:
        super().__init__(body, status_code=status_code)
