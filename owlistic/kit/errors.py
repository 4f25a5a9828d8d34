"""Domain errors carry their HTTP status; one handler in ``owlistic.app`` renders them."""

from __future__ import annotations

from typing import Any


class OwlisticError(Exception):
    status_code = 500

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    @property
    def headers(self) -> dict[str, str] | None:
        return None


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
    """Well-formed input that a rule refuses (a weak password, an unsafe link, a rule that
    needs stored state)."""

    status_code = 422


class PayloadTooLarge(OwlisticError):
    status_code = 413


class _RetryLater(OwlisticError):
    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class TooManyRequests(_RetryLater):
    status_code = 429


class ServiceUnavailable(_RetryLater):
    status_code = 503


class InvalidContent(OwlisticError):
    """Well-formed request whose content cannot be accepted (a lying or broken file)."""

    status_code = 422


class RangeNotSatisfiable(OwlisticError):
    status_code = 416
