"""Registration, login, JWTs, refresh rotation, logout, profile and password changes."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from tests.api.helpers import API, USER_KEYS, error_of, ok
from tests.conftest import TEST_SECRET, Account

PASSWORD = "correct horse battery staple"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(f"{API}/login", json={"email": email, "password": password})


async def profile_status(client: httpx.AsyncClient, token: str) -> int:
    return (await client.get(f"{API}/profile", headers=bearer(token))).status_code


def local_part() -> str:
    return f"dup{uuid.uuid4().hex[:10]}"


async def new_session(client: httpx.AsyncClient, who: Account) -> Account:
    """A separate login of ``who``: its tokens can be revoked without touching ``who``'s."""
    body = ok(await login(client, who.email, who.password))
    return Account(who.id, who.email, who.password, body["token"], body["refresh_token"])


async def test_register_shape_and_default_usernames_never_collide(
    client: httpx.AsyncClient,
) -> None:
    local = local_part()
    r = await client.post(
        f"{API}/register",
        json={
            "email": f"{local}@a.com",
            "password": PASSWORD,
            "display_name": "Ann",
            "name": "ignored",
        },
    )
    first = ok(r, 201)
    assert set(first) == USER_KEYS
    assert (first["email"], first["username"]) == (f"{local}@a.com", local)
    assert (first["display_name"], first["profile_pic"], first["deleted_at"]) == ("Ann", "", None)
    assert "password" not in r.text
    assert "hash" not in r.text
    # Upstream refused this one: the default username was already taken.
    second = ok(
        await client.post(
            f"{API}/register", json={"email": f"{local}@b.com", "password": PASSWORD}
        ),
        201,
    )
    assert second["username"] != local
    assert second["username"].startswith(local)


async def test_explicit_username_taken_is_409(client: httpx.AsyncClient, owner: Account) -> None:
    me = ok(await client.get(f"{API}/profile", headers=owner.headers))
    r = await client.post(
        f"{API}/register",
        json={"email": f"{local_part()}@x.com", "password": PASSWORD, "username": me["username"]},
    )
    error_of(r, 409)


async def test_duplicate_email_is_409(client: httpx.AsyncClient, owner: Account) -> None:
    for email in (owner.email, owner.email.upper()):
        r = await client.post(f"{API}/register", json={"email": email, "password": PASSWORD})
        assert "already exists" in error_of(r, 409)


async def test_login_returns_hs256_jwt_with_user_id(
    client: httpx.AsyncClient, owner: Account
) -> None:
    body = ok(await login(client, owner.email.upper(), owner.password))  # email case ignored
    assert body["token"] == body["access_token"]
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int)
    assert body["expires_in"] > 0
    assert body["refresh_token"]
    assert body["refresh_token"] != body["token"]
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"
    # The original client base64-decodes the payload itself and reads ``user_id``.
    payload_b64 = body["token"].split(".")[1]
    raw = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    assert raw["user_id"] == owner.id
    claims = jwt.decode(body["token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["email"] == owner.email
    assert claims["exp"] > claims["iat"]
    assert await profile_status(client, body["token"]) == 200


@pytest.mark.parametrize("which", ["password", "email"])
async def test_bad_credentials_are_401(
    client: httpx.AsyncClient, owner: Account, which: str
) -> None:
    email = owner.email if which == "password" else f"{local_part()}@nowhere.com"
    r = await login(client, email, "wrong password")
    assert error_of(r, 401) == "Invalid credentials"


async def test_refresh_rotates_and_reuse_ends_the_family(
    client: httpx.AsyncClient, owner: Account
) -> None:
    alice = await new_session(client, owner)
    other_login = await new_session(client, owner)
    first = ok(await client.post(f"{API}/refresh", json={"refresh_token": alice.refresh_token}))
    assert first["token"] == first["access_token"]
    assert first["refresh_token"] != alice.refresh_token
    assert await profile_status(client, first["token"]) == 200
    second = ok(await client.post(f"{API}/refresh", json={"refresh_token": first["refresh_token"]}))
    assert await profile_status(client, second["token"]) == 200
    # A rotated token comes back: everything descended from that login stops working.
    reuse = await client.post(f"{API}/refresh", json={"refresh_token": alice.refresh_token})
    error_of(reuse, 401)
    assert await profile_status(client, second["token"]) == 401
    again = await client.post(f"{API}/refresh", json={"refresh_token": second["refresh_token"]})
    error_of(again, 401)
    assert await profile_status(client, other_login.token) == 200  # another login goes on


async def test_token_kinds_are_not_interchangeable(
    client: httpx.AsyncClient, owner: Account
) -> None:
    assert await profile_status(client, owner.refresh_token) == 401
    error_of(await client.post(f"{API}/refresh", json={"refresh_token": owner.token}), 401)
    error_of(await client.post(f"{API}/refresh", json={"refresh_token": "garbage"}), 401)


async def test_logout_revokes_access_and_refresh_tokens(
    client: httpx.AsyncClient, owner: Account
) -> None:
    alice = await new_session(client, owner)
    r = await client.post(
        f"{API}/logout", json={"refresh_token": alice.refresh_token}, headers=alice.headers
    )
    assert ok(r)["message"]
    error_of(await client.get(f"{API}/profile", headers=alice.headers), 401)
    error_of(await client.post(f"{API}/refresh", json={"refresh_token": alice.refresh_token}), 401)
    # Only that session ends.
    assert await profile_status(client, owner.token) == 200
    ok(await client.post(f"{API}/refresh", json={"refresh_token": owner.refresh_token}))


async def test_logout_without_body_revokes_the_access_token(
    client: httpx.AsyncClient, owner: Account
) -> None:
    alice = await new_session(client, owner)
    ok(await client.post(f"{API}/logout", headers=alice.headers))
    assert await profile_status(client, alice.token) == 401
    error_of(await client.post(f"{API}/logout", headers=alice.headers), 401)


async def test_profile_get_and_put(client: httpx.AsyncClient, owner: Account) -> None:
    alice = owner
    me = ok(await client.get(f"{API}/profile", headers=alice.headers))
    assert set(me) == USER_KEYS
    assert me["id"] == alice.id
    assert me["email"] == alice.email
    r = await client.put(
        f"{API}/profile",
        json={"display_name": "Alice A.", "preferences": {"theme": "dark", "size": 3}},
        headers=alice.headers,
    )
    updated = ok(r)
    assert updated["display_name"] == "Alice A."
    again = ok(await client.get(f"{API}/users/{alice.id}", headers=alice.headers))
    assert again["display_name"] == "Alice A."
    assert again["preferences"] == {"theme": "dark", "size": 3}
    # A login still works after preferences were stored (upstream defect 17).
    ok(await login(client, alice.email, alice.password))


async def test_password_change_requires_current_password(
    client: httpx.AsyncClient, alice: Account
) -> None:
    url = f"{API}/users/{alice.id}/password"
    wrong = await client.put(
        url, json={"current_password": "nope", "new_password": "n3w pass"}, headers=alice.headers
    )
    assert error_of(wrong, 403) == "Current password is incorrect"
    assert await profile_status(client, alice.token) == 200  # nothing changed

    r = await client.put(
        url,
        json={"current_password": alice.password, "new_password": "n3w pass"},
        headers=alice.headers,
    )
    body = ok(r)
    assert body["message"] == "Password updated successfully"
    assert await profile_status(client, alice.token) == 401
    error_of(await client.post(f"{API}/refresh", json={"refresh_token": alice.refresh_token}), 401)
    assert await profile_status(client, body["token"]) == 200
    error_of(await login(client, alice.email, alice.password), 401)
    ok(await login(client, alice.email, "n3w pass"))


async def test_password_change_of_someone_else_is_403(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    r = await client.put(
        f"{API}/users/{outsider.id}/password",
        json={"current_password": outsider.password, "new_password": "hijacked"},
        headers=owner.headers,
    )
    error_of(r, 403)
    assert await profile_status(client, outsider.token) == 200  # a change would end it


async def test_put_user_password_requires_current_password(
    client: httpx.AsyncClient, alice: Account
) -> None:
    url = f"{API}/users/{alice.id}"
    error_of(
        await client.put(url, json={"password": "other passphrase"}, headers=alice.headers), 403
    )
    bad = {"password": "other passphrase", "current_password": "wrong"}
    error_of(await client.put(url, json=bad, headers=alice.headers), 403)
    assert await profile_status(client, alice.token) == 200  # a change would end it

    good = {"password": "other passphrase", "current_password": alice.password}
    ok(await client.put(url, json=good, headers=alice.headers))
    assert await profile_status(client, alice.token) == 401
    ok(await login(client, alice.email, "other passphrase"))


async def test_deleted_user_token_fails_and_email_is_free_again(
    client: httpx.AsyncClient, alice: Account
) -> None:
    fresh = ok(await login(client, alice.email, alice.password))
    r = await client.delete(f"{API}/users/{alice.id}", headers=alice.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert await profile_status(client, alice.token) == 401
    assert await profile_status(client, fresh["token"]) == 401
    error_of(await client.post(f"{API}/refresh", json={"refresh_token": alice.refresh_token}), 401)
    error_of(await login(client, alice.email, alice.password), 401)

    again = ok(
        await client.post(f"{API}/register", json={"email": alice.email, "password": PASSWORD}), 201
    )
    assert again["id"] != alice.id
    token = ok(await login(client, alice.email, PASSWORD))["token"]
    me = ok(await client.get(f"{API}/profile", headers=bearer(token)))
    assert me["id"] == again["id"]


def _forge(claims: dict[str, object], secret: str = TEST_SECRET, alg: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=alg)


async def test_expired_and_forged_tokens_are_401(client: httpx.AsyncClient, owner: Account) -> None:
    now = datetime.now(UTC)
    base: dict[str, object] = {"user_id": owner.id, "email": owner.email, "iat": now}
    expired = _forge({**base, "exp": now - timedelta(seconds=5)})
    assert "expired" in error_of(await client.get(f"{API}/profile", headers=bearer(expired)), 401)
    wrong_secret = _forge({**base, "exp": now + timedelta(hours=1)}, secret="y" * 48)
    nobody = _forge({**base, "user_id": str(uuid.uuid4()), "exp": now + timedelta(hours=1)})
    no_exp = _forge(base)
    # alg "none" takes no key; PyJWT types the key without None once cryptography is installed
    unsigned = jwt.encode({**base, "exp": now + timedelta(hours=1)}, None, algorithm="none")  # type: ignore[arg-type]
    garbled = owner.token[:-4] + ("AAAA" if not owner.token.endswith("AAAA") else "BBBB")
    for token in (wrong_secret, nobody, no_exp, unsigned, garbled, "not.a.jwt", "x"):
        error_of(await client.get(f"{API}/profile", headers=bearer(token)), 401)


async def test_missing_authorization_header(client: httpx.AsyncClient) -> None:
    for path in ("/profile", "/notebooks", "/notes", "/blocks", "/tasks", "/trash", "/roles"):
        r = await client.get(f"{API}{path}")
        assert error_of(r, 401) == "Authentication required"


@pytest.mark.parametrize(
    "header",
    ["Token abc", "Bearer", "bearer {t}", "Bearer {t} extra", "Bearer  {t}", "{t}"],
)
async def test_malformed_authorization_header(
    client: httpx.AsyncClient, owner: Account, header: str
) -> None:
    r = await client.get(f"{API}/profile", headers={"Authorization": header.format(t=owner.token)})
    assert error_of(r, 401) == "Authorization header format must be Bearer {token}"


async def test_token_in_query_string_is_not_accepted(
    client: httpx.AsyncClient, owner: Account
) -> None:
    # Tokens in URLs end up in access logs (upstream defect 14); REST needs the header.
    r = await client.get(f"{API}/profile", params={"token": owner.token})
    error_of(r, 401)
