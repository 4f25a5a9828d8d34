"""Rate limits of the authentication endpoints: per client address and per account."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Depends, Request

from owlistic.auth.ratelimit import Limit, hit
from owlistic.runtime import Runtime, RuntimeDep

Action = Literal["login", "register", "refresh", "password"]


def client_address(request: Request) -> str:
    # Behind a trusted proxy this is already the X-Forwarded-For address (see app.py).
    return request.client.host if request.client else "unknown"


async def check(
    request: Request, runtime: Runtime, action: Action, account: str | None = None
) -> None:
    """Counts this attempt; 429 with Retry-After once the address or the account is over."""
    settings = runtime.settings
    limits = [
        Limit(
            f"{action}:address:{client_address(request)}",
            getattr(settings, f"rate_limit_{action}_per_address"),
        )
    ]
    if account is not None:
        per_account = getattr(settings, f"rate_limit_{action}_per_account", None)
        if per_account is not None:
            limits.append(Limit(f"{action}:account:{account.lower()[:320]}", per_account))
    await hit(runtime.db, limits, settings.rate_limit_window_seconds)


def limited(action: Action, *, account_param: str | None = None) -> Any:
    """A dependency counting the attempt before anything else of the request runs: on
    SQLite it must not wait for the write lock that the request's own transaction holds."""

    async def dependency(request: Request, runtime: RuntimeDep) -> None:
        account = request.path_params.get(account_param) if account_param else None
        await check(request, runtime, action, account)

    return Depends(dependency)
