"""Domain errors carry their HTTP status; one handler in ``owlistic.app`` renders them."""

from __future__ import annotations

from typing import Any


class OwlisticError(Exception):
    status_code = 500

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class BadRequest(OwlisticError):
    status_code = 400


class Unauthorized(OwlisticError):
    status_code = 401


class Forbidden(OwlisticError):
    status_code = 403


class NotFound(OwlisticError):
    status_code = 404


class Conflict(OwlisticError):
    status_code = 409


class Unprocessable(OwlisticError):
    """Well-formed input that breaks a rule only the service can check (needs stored state)."""

    status_code = 422


class PayloadTooLarge(OwlisticError):
    status_code = 413


class ServiceUnavailable(OwlisticError):
    status_code = 503
