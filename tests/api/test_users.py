"""Users: who sees whom, and who may change whom (including an admin made by the CLI)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx

from tests.api.helpers import (
    API,
    PUBLIC_USER_KEYS,
    USER_KEYS,
    error_of,
    ids,
    instant,
    ok,
    unknown_id,
)
from tests.conftest import Account, LiveServer


async def test_non_admin_lists_only_themselves(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    users = ok(await client.get(f"{API}/users", headers=outsider.headers))
    assert [u["id"] for u in users] == [outsider.id]
    assert set(users[0]) == USER_KEYS
    by_email = await client.get(
        f"{API}/users", params={"email": owner.email}, headers=outsider.headers
    )
    assert ok(by_email) == []
    picked = ok(
        await client.get(
            f"{API}/users", params={"fields": "id,email,bogus"}, headers=outsider.headers
        )
    )
    assert picked == [{"id": outsider.id, "email": outsider.email}]


async def test_other_user_is_seen_in_limited_form(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    other = ok(await client.get(f"{API}/users/{owner.id}", headers=outsider.headers))
    assert set(other) == PUBLIC_USER_KEYS
    assert other["id"] == owner.id
    fields = {"fields": "username,email,preferences"}
    picked = ok(
        await client.get(f"{API}/users/{owner.id}", params=fields, headers=outsider.headers)
    )
    assert set(picked) == {"username"}
    me = ok(await client.get(f"{API}/users/{outsider.id}", headers=outsider.headers))
    assert set(me) == USER_KEYS
    assert me["email"] == outsider.email


async def test_unknown_user_is_404(client: httpx.AsyncClient, owner: Account) -> None:
    assert (
        error_of(await client.get(f"{API}/users/{unknown_id()}", headers=owner.headers), 404)
        == "User not found"
    )


async def test_cannot_change_or_delete_someone_else(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    before = ok(await client.get(f"{API}/users/{owner.id}", headers=owner.headers))
    url = f"{API}/users/{owner.id}"
    error_of(await client.put(url, json={"display_name": "pwned"}, headers=outsider.headers), 403)
    error_of(await client.delete(url, headers=outsider.headers), 403)
    error_of(
        await client.put(
            f"{API}/users/{unknown_id()}", json={"display_name": "x"}, headers=outsider.headers
        ),
        403,
    )
    after = ok(await client.get(f"{API}/users/{owner.id}", headers=owner.headers))
    assert after == before


async def test_update_self_fields_and_conflicts(
    client: httpx.AsyncClient, alice: Account, outsider: Account
) -> None:
    url = f"{API}/users/{alice.id}"
    taken = ok(await client.get(f"{API}/users/{outsider.id}", headers=outsider.headers))
    error_of(
        await client.put(url, json={"username": taken["username"]}, headers=alice.headers), 409
    )
    error_of(await client.put(url, json={"email": outsider.email}, headers=alice.headers), 409)

    new_email = f"renamed{uuid.uuid4().hex[:8]}@example.com"
    new_name = f"alice{uuid.uuid4().hex[:8]}"
    body = {
        "email": new_email,
        "username": new_name,
        "display_name": "A",
        "profile_pic": "p.png",
        "preferences": {"lang": "fr"},
    }
    updated = ok(await client.put(url, json=body, headers=alice.headers))
    assert {k: updated[k] for k in body} == body
    assert instant(updated["updated_at"]) > instant(updated["created_at"])
    # A present empty string clears a field; an absent key leaves it alone.
    cleared = ok(await client.put(url, json={"display_name": ""}, headers=alice.headers))
    assert cleared["display_name"] == ""
    assert cleared["profile_pic"] == "p.png"
    assert cleared["username"] == new_name  # changing the email did not reset it
    login = await client.post(f"{API}/login", json={"email": new_email, "password": alice.password})
    ok(login)


async def _run_cli(server: LiveServer, *args: str) -> str:
    settings = server.settings
    env = {
        **os.environ,
        "OWLISTIC_DATABASE_URL": settings.effective_database_url,
        "OWLISTIC_DATA_DIR": str(settings.data_dir),
        "OWLISTIC_ENV": "test",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "owlistic",
        *args,
        env=env,
        cwd=str(Path(settings.data_dir)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode().strip()


async def test_cli_admin_sees_and_manages_everyone(
    client: httpx.AsyncClient, server: LiveServer, alice: Account, outsider: Account
) -> None:
    email = f"admin{uuid.uuid4().hex[:8]}@example.com"
    admin_id = await _run_cli(server, "create-user", email, "admin password", "--admin")
    assert str(uuid.UUID(admin_id)) == admin_id
    login = await client.post(f"{API}/login", json={"email": email, "password": "admin password"})
    headers = {"Authorization": f"Bearer {ok(login)['token']}"}

    everyone = ids(ok(await client.get(f"{API}/users", headers=headers)))
    assert {admin_id, alice.id, outsider.id} <= everyone
    full = ok(await client.get(f"{API}/users/{outsider.id}", headers=headers))
    assert set(full) == USER_KEYS
    assert full["email"] == outsider.email

    url = f"{API}/users/{alice.id}"
    renamed = ok(await client.put(url, json={"display_name": "by admin"}, headers=headers))
    assert renamed["display_name"] == "by admin"
    r = await client.delete(url, headers=headers)
    assert r.status_code == 204
    error_of(await client.get(f"{API}/profile", headers=alice.headers), 401)
    # The admin role cannot be handed out through the API.
    r = await client.post(
        f"{API}/roles",
        json={
            "user_id": outsider.id,
            "resource_id": outsider.id,
            "resource_type": "user",
            "role": "admin",
        },
        headers=headers,
    )
    error_of(r, 422)
    assert ids(ok(await client.get(f"{API}/users", headers=outsider.headers))) == {outsider.id}
