"""Authentication endpoints are rate limited per client address and per account, with 429
and Retry-After, in the database (so two server instances share one count)."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from owlistic.settings import Settings
from tests.api.helpers import API, error_of, ok
from tests.conftest import LiveServer, register, running_server

# Windows are fixed and start at multiples of their length: with the default minute (or an
# hour) a test can straddle a boundary, where its count starts again. With years, none does.
WINDOW = 100_000_000
LIMITS = {
    "trusted_proxies": ["127.0.0.1"],
    "rate_limit_login_per_address": 6,
    "rate_limit_login_per_account": 3,
    "rate_limit_register_per_address": 2,
    "rate_limit_refresh_per_address": 3,
    "rate_limit_password_per_account": 2,
    "rate_limit_window_seconds": WINDOW,
}


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two instances on the suite's database with low limits; each test sends its own
    X-Forwarded-For address (the instances trust the loopback proxy)."""
    custom = settings.model_copy(update=LIMITS)
    async with running_server(custom) as one, running_server(custom) as two:
        yield one, two


def address() -> dict[str, str]:
    # A fresh address in the IPv6 documentation prefix: with 96 random bits, two tests (or
    # two runs on one database, inside one window) never share a count by chance.
    fresh = ipaddress.IPv6Address((0x20010DB8 << 96) | (uuid.uuid4().int >> 32))
    return {"X-Forwarded-For": f"{fresh}, 127.0.0.1"}


def too_many(r: httpx.Response, window: int = WINDOW) -> int:
    assert "too many" in error_of(r, 429)
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= window
    return retry_after


async def test_wrong_passwords_for_one_account_hit_the_per_account_limit_across_instances(
    limited: tuple[LiveServer, LiveServer], client: httpx.AsyncClient
) -> None:
    one, two = limited
    victim = await register(client)
    wrong = {"email": victim.email, "password": "not the password"}
    async with (
        httpx.AsyncClient(base_url=one.url, timeout=30) as a,
        httpx.AsyncClient(base_url=two.url, timeout=30) as b,
    ):
        # Each from a new address: only the account's count can stop them.
        error_of(await a.post(f"{API}/login", json=wrong, headers=address()), 401)
        error_of(await b.post(f"{API}/login", json=wrong, headers=address()), 401)
        error_of(await a.post(f"{API}/login", json=wrong, headers=address()), 401)
        too_many(await b.post(f"{API}/login", json=wrong, headers=address()))
        right = {"email": victim.email, "password": victim.password}
        too_many(await a.post(f"{API}/login", json=right, headers=address()))


async def test_one_address_hits_the_per_address_limit(
    limited: tuple[LiveServer, LiveServer],
) -> None:
    one, _ = limited
    me = address()
    async with httpx.AsyncClient(base_url=one.url, timeout=30) as c:
        for _ in range(6):
            body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "whatever it is"}
            error_of(await c.post(f"{API}/login", json=body, headers=me), 401)
        too_many(await c.post(f"{API}/login", json=body, headers=me))
        # Another address is not affected.
        error_of(await c.post(f"{API}/login", json=body, headers=address()), 401)


async def test_register_refresh_and_password_change_are_limited(
    limited: tuple[LiveServer, LiveServer], client: httpx.AsyncClient
) -> None:
    one, _ = limited
    me = address()
    async with httpx.AsyncClient(base_url=one.url, timeout=30) as c:
        for _ in range(2):
            body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "long enough pass"}
            ok(await c.post(f"{API}/register", json=body, headers=me), 201)
        body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "long enough pass"}
        too_many(await c.post(f"{API}/register", json=body, headers=me))

        for _ in range(3):
            error_of(await c.post(f"{API}/refresh", json={"refresh_token": "x"}, headers=me), 401)
        too_many(await c.post(f"{API}/refresh", json={"refresh_token": "x"}, headers=me))

        ann = await register(client)
        change = {"current_password": "wrong", "new_password": "a new long passphrase"}
        url = f"{API}/users/{ann.id}/password"
        for _ in range(2):
            error_of(await c.put(url, json=change, headers=ann.headers | address()), 403)
        too_many(await c.put(url, json=change, headers=ann.headers | address()))


async def test_untrusted_proxy_header_is_ignored(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    """Without trusted proxies, X-Forwarded-For cannot dodge the per-address limit."""
    custom = settings.model_copy(update={"rate_limit_login_per_address": 2})
    # The count is the loopback address's, shared with the suite's other logins in the
    # suite's own window; that window may end once meanwhile, so it takes at most 2 x 2
    # refused logins before the 429 (the suite's logins may also have used some already).
    async with (
        running_server(custom) as live,
        httpx.AsyncClient(base_url=live.url, timeout=30) as c,
    ):
        body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "whatever it is"}
        for _ in range(2 * 2 + 1):
            r = await c.post(f"{API}/login", json=body, headers=address())
            if r.status_code != 401:
                break
        too_many(r, custom.rate_limit_window_seconds)
