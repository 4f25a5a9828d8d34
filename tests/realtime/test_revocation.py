"""Ending a session closes its live sockets: logout, refresh-token reuse, password change,
account deletion, an admin disabling the account, a share revoked; and the per-user cap."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from owlistic.auth import repository
from owlistic.realtime.hub import hub_of
from owlistic.realtime.registry import CLOSE_ACCESS_REVOKED, CLOSE_POLICY, CLOSE_REVOKED
from owlistic.runtime import Runtime
from owlistic.user.service import user as users
from tests.api.helpers import API, error_of, notebook_with_note, ok
from tests.conftest import Account, LiveServer, register
from tests.realtime.conftest import ExtraServerFactory
from tests.realtime.wsclient import WAIT, assert_silent, send, ws_connect


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Reads until the server closes the socket; its close code and reason."""

    async def drain() -> None:
        while True:
            await ws.recv()

    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(drain(), WAIT)
    assert ws.close_code is not None
    return ws.close_code, ws.close_reason or ""


async def still_open(ws: ClientConnection) -> None:
    await send(ws, {"type": "ping"})
    async with asyncio.timeout(WAIT):
        while True:
            message = await ws.recv()
            if '"pong"' in str(message):
                return


async def second_login(client: httpx.AsyncClient, account: Account) -> Account:
    body = ok(
        await client.post(
            f"{API}/login", json={"email": account.email, "password": account.password}
        )
    )
    return Account(
        account.id, account.email, account.password, body["token"], body["refresh_token"]
    )


async def test_logout_closes_the_sockets_of_that_login_only(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    ann = await register(client)
    other_device = await second_login(client, ann)
    async with ws_connect(server, ann) as ws, ws_connect(server, other_device) as other_ws:
        await still_open(ws)
        ok(await client.post(f"{API}/logout", headers=ann.headers))
        code, reason = await closed_with(ws)
        assert (code, reason) == (CLOSE_REVOKED, "logged out")
        await still_open(other_ws)  # the other login goes on


async def test_refresh_token_reuse_ends_the_whole_family(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    ann = await register(client)
    rotated = ok(await client.post(f"{API}/refresh", json={"refresh_token": ann.refresh_token}))
    thief = Account(ann.id, ann.email, ann.password, rotated["token"], rotated["refresh_token"])
    async with ws_connect(server, thief) as ws:
        await still_open(ws)
        # The first refresh token comes back: someone holds a copy.
        reuse = await client.post(f"{API}/refresh", json={"refresh_token": ann.refresh_token})
        error_of(reuse, 401)
        code, reason = await closed_with(ws)
    assert (code, reason) == (CLOSE_REVOKED, "refresh token reused")
    error_of(await client.get(f"{API}/profile", headers=thief.headers), 401)
    error_of(await client.get(f"{API}/profile", headers=ann.headers), 401)
    error_of(
        await client.post(f"{API}/refresh", json={"refresh_token": rotated["refresh_token"]}), 401
    )


async def test_password_change_closes_every_socket_of_the_user(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    ann = await register(client)
    other_device = await second_login(client, ann)
    async with ws_connect(server, ann) as ws, ws_connect(server, other_device) as other_ws:
        await still_open(ws)
        ok(
            await client.put(
                f"{API}/users/{ann.id}/password",
                json={"current_password": ann.password, "new_password": "a new long passphrase"},
                headers=ann.headers,
            )
        )
        assert await closed_with(ws) == (CLOSE_REVOKED, "password changed")
        assert await closed_with(other_ws) == (CLOSE_REVOKED, "password changed")


async def test_account_deletion_closes_its_sockets(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    ann = await register(client)
    async with ws_connect(server, ann) as ws:
        await still_open(ws)
        r = await client.delete(f"{API}/users/{ann.id}", headers=ann.headers)
        assert r.status_code == 204, r.text
        assert await closed_with(ws) == (CLOSE_REVOKED, "account deleted")


async def make_admin(runtime: Runtime, account: Account) -> None:
    async with runtime.db.session() as session:
        user = await repository.live_by_id(session, uuid.UUID(account.id))
        assert user is not None
        await users.grant_admin(session, user)


async def test_admin_disabling_a_user_closes_its_sockets_and_refuses_login(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    runtime: Runtime = server.app.state.runtime
    admin, ann = await register(client), await register(client)
    await make_admin(runtime, admin)
    error_of(await client.post(f"{API}/admin/users/{admin.id}/disable", headers=ann.headers), 403)
    async with ws_connect(server, ann) as ws:
        await still_open(ws)
        body = ok(await client.post(f"{API}/admin/users/{ann.id}/disable", headers=admin.headers))
        assert body["disabled_at"] is not None
        assert await closed_with(ws) == (CLOSE_REVOKED, "account disabled")
    error_of(await client.get(f"{API}/profile", headers=ann.headers), 401)
    login = {"email": ann.email, "password": ann.password}
    assert "disabled" in error_of(await client.post(f"{API}/login", json=login), 403)
    ok(await client.post(f"{API}/admin/users/{ann.id}/enable", headers=admin.headers))
    ok(await client.post(f"{API}/login", json=login))


class ScopedSocket:
    """A socket bound to one notebook, registered like a note's collaboration socket."""

    def __init__(self, user_id: str, notebook_id: str) -> None:
        self.user_id = user_id
        self.session_id = "any"
        self.scope = frozenset({notebook_id})
        self.closed: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()

    def close_soon(self, code: int, reason: str) -> None:
        if not self.closed.done():
            self.closed.set_result((code, reason))


async def test_revoked_share_closes_the_sockets_bound_to_that_notebook(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    owner, guest = await register(client), await register(client)
    nb, _ = await notebook_with_note(client, owner)
    ok(
        await client.put(
            f"{API}/notebooks/{nb['id']}/shares",
            json={"email": guest.email, "role": "viewer"},
            headers=owner.headers,
        )
    )
    registry = hub_of(server.app).registry
    bound, elsewhere = ScopedSocket(guest.id, nb["id"]), ScopedSocket(guest.id, str(uuid.uuid4()))
    registry.register(bound)
    registry.register(elsewhere)
    try:
        async with ws_connect(server, guest) as ws:
            r = await client.delete(
                f"{API}/notebooks/{nb['id']}/shares/{guest.id}", headers=owner.headers
            )
            assert r.status_code in (200, 204), r.text
            assert await asyncio.wait_for(bound.closed, WAIT) == (
                CLOSE_ACCESS_REVOKED,
                "access revoked",
            )
            await still_open(ws)  # user-wide: it only stops receiving that notebook
            assert not elsewhere.closed.done()
    finally:
        registry.unregister(bound)
        registry.unregister(elsewhere)


async def test_sockets_per_user_are_capped_with_a_clear_reason(
    client: httpx.AsyncClient, extra_server: ExtraServerFactory
) -> None:
    async with extra_server(ws_max_per_user=2) as capped:
        ann = await register(client)
        async with ws_connect(capped, ann) as one, ws_connect(capped, ann) as two:
            async with ws_connect(capped, ann) as three:
                code, reason = await closed_with(three)
            assert (code, reason) == (CLOSE_POLICY, "too many connections: at most 2 per user")
            await still_open(one)
            await still_open(two)
        # Closed sockets free their places.
        async with ws_connect(capped, ann) as again:
            await still_open(again)
            await assert_silent(again, 0.1)
