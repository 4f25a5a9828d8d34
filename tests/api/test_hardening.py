"""Security headers, request ids, OPTIONS, compression, and bad input that used to be a 500."""

from __future__ import annotations

import gzip
import uuid

import brotli
import httpx
import pytest

from owlistic.settings import Settings
from tests.api.helpers import API, block, error_of, notebook_with_note, ok
from tests.conftest import Account, LiveServer, register, running_server


def assert_security_headers(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "style-src 'self';" in csp, "no inline style either"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"


async def test_every_response_has_security_headers_and_a_request_id(
    client: httpx.AsyncClient, owner: Account
) -> None:
    for r in (
        await client.get("/healthz"),
        await client.get(f"{API}/notebooks", headers=owner.headers),
        await client.get(f"{API}/notes/{uuid.uuid4()}", headers=owner.headers),
        await client.get(f"{API}/profile"),
        await client.post(f"{API}/login", content=b"{"),
    ):
        assert_security_headers(r)
        assert "strict-transport-security" not in r.headers  # plain HTTP
        assert len(r.headers["x-request-id"]) >= 16
        if r.status_code >= 400:
            assert r.json()["request_id"] == r.headers["x-request-id"]
    mine = await client.get(f"{API}/profile", headers={"X-Request-ID": "trace-42"})
    assert mine.headers["x-request-id"] == "trace-42"
    assert mine.json()["request_id"] == "trace-42"
    odd = await client.get("/healthz", headers={"X-Request-ID": "x" * 500})
    assert odd.headers["x-request-id"] != "x" * 500


async def test_hsts_only_over_tls_from_a_trusted_proxy(settings: Settings) -> None:
    custom = settings.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    async with (
        running_server(custom) as live,
        httpx.AsyncClient(base_url=live.url, timeout=30) as c,
    ):
        r = await c.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "strict-transport-security" not in (await c.get("/healthz")).headers


async def test_forwarded_proto_from_an_untrusted_peer_is_ignored(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in r.headers


async def test_options_answers_allow_instead_of_405(
    client: httpx.AsyncClient, owner: Account
) -> None:
    r = await client.options(f"{API}/notes")
    assert r.status_code == 204
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in r.headers["allow"].split(",")}
    r = await client.options(f"{API}/notes/{uuid.uuid4()}")
    assert {"GET", "PUT", "DELETE"} <= {m.strip() for m in r.headers["allow"].split(",")}


async def test_large_json_responses_are_compressed(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    for i in range(30):
        await block(client, owner, n["id"], text=f"paragraph {i} " + "lorem ipsum " * 20)
    url = f"{API}/blocks?note_id={n['id']}"
    plain = await client.get(url, headers=owner.headers | {"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        headers = owner.headers | {"Accept-Encoding": encoding}
        async with client.stream("GET", url, headers=headers) as r:
            assert r.headers["content-encoding"] == encoding
            sent = b"".join([chunk async for chunk in r.aiter_raw()])
        assert len(sent) < len(plain.content) / 3
        assert decode(sent) == plain.content


async def test_page_overflow_is_422_not_500(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    for page in ("99999999999999999999", "1000000001"):
        r = await client.get(
            f"{API}/blocks", params={"note_id": n["id"], "page": page}, headers=owner.headers
        )
        error_of(r, 422)
    # The connection still works afterwards (PostgreSQL used to reset it).
    ok(await client.get(f"{API}/blocks", params={"note_id": n["id"]}, headers=owner.headers))


@pytest.mark.parametrize(
    "body",
    [
        '{"note_id": "%s", "type": "text", "content": {"text": "\\ud800"}}',
        '{"note_id": "%s", "type": "text", "content": {"\\udfff": "x"}}',
        '{"note_id": "%s", "type": "text\\ud800"}',
    ],
)
async def test_lone_surrogate_is_422_not_500(
    client: httpx.AsyncClient, owner: Account, body: str
) -> None:
    _, n = await notebook_with_note(client, owner)
    r = await client.post(
        f"{API}/blocks",
        content=(body % n["id"]).encode(),
        headers=owner.headers | {"content-type": "application/json"},
    )
    assert "surrogate" in error_of(r, 422)


async def test_completion_flag_is_a_strict_boolean(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    for value in (0, 1, "true", "false"):
        r = await client.post(
            f"{API}/tasks",
            json={"note_id": n["id"], "title": "t", "is_completed": value},
            headers=owner.headers,
        )
        error_of(r, 422)
    task = ok(
        await client.post(
            f"{API}/tasks", json={"note_id": n["id"], "title": "t"}, headers=owner.headers
        ),
        201,
    )
    error_of(
        await client.put(
            f"{API}/tasks/{task['id']}", json={"is_completed": 0}, headers=owner.headers
        ),
        422,
    )


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x", "data:text/html,x"]
)
async def test_unsafe_link_hrefs_are_422(
    client: httpx.AsyncClient, owner: Account, href: str
) -> None:
    _, n = await notebook_with_note(client, owner)
    spans = [{"start": 0, "end": 3, "type": "link", "href": href}]
    body = {"note_id": n["id"], "type": "text", "content": {"text": "link"}}
    r = await client.post(
        f"{API}/blocks", json=body | {"metadata": {"spans": spans}}, headers=owner.headers
    )
    assert "link href" in error_of(r, 422)
    r = await client.post(
        f"{API}/blocks",
        json=body | {"content": {"text": "link", "spans": spans}},
        headers=owner.headers,
    )
    error_of(r, 422)
    made = await block(client, owner, n["id"], text="link")
    r = await client.put(
        f"{API}/blocks/{made['id']}", json={"metadata": {"spans": spans}}, headers=owner.headers
    )
    error_of(r, 422)


@pytest.mark.parametrize(
    "href", ["https://example.com/a?b#c", "http://x", "mailto:a@b.c", "/#/notes/1", "#top", "x/y"]
)
async def test_safe_link_hrefs_are_kept(
    client: httpx.AsyncClient, owner: Account, href: str
) -> None:
    _, n = await notebook_with_note(client, owner)
    spans = [{"start": 0, "end": 3, "type": "link", "href": href}]
    body = {"note_id": n["id"], "type": "text", "content": {"text": "link"}}
    made = ok(
        await client.post(
            f"{API}/blocks", json=body | {"metadata": {"spans": spans}}, headers=owner.headers
        ),
        201,
    )
    assert made["metadata"]["spans"][0]["href"] == href


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8"), ("iloveyou", "too common"), ("Password1", "too common")],
)
async def test_weak_passwords_are_422(
    client: httpx.AsyncClient, owner: Account, password: str, message: str
) -> None:
    email = f"{uuid.uuid4().hex}@example.com"
    r = await client.post(f"{API}/register", json={"email": email, "password": password})
    assert message in error_of(r, 422)
    r = await client.put(
        f"{API}/users/{owner.id}/password",
        json={"current_password": owner.password, "new_password": password},
        headers=owner.headers,
    )
    assert message in error_of(r, 422)


async def test_outbox_backlog_is_admin_only(client: httpx.AsyncClient, server: LiveServer) -> None:
    from tests.realtime.test_revocation import make_admin

    user, admin = await register(client), await register(client)
    await make_admin(server.app.state.runtime, admin)
    error_of(await client.get(f"{API}/admin/outbox", headers=user.headers), 403)
    body = ok(await client.get(f"{API}/admin/outbox", headers=admin.headers))
    # The figures themselves are checked in tests/realtime/test_health.py.
    assert set(body) == {
        "pending",
        "oldest_pending_age_seconds",
        "last_dispatched_seq",
        "relay_error",
    }


async def test_nul_is_refused_only_in_what_nested_bodies_keep(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """Unknown keys are ignored at every depth, so what they hold does not matter (the schema
    allows them); a kept field of a nested body is still checked (schemathesis, large budget)."""
    nb = ok(await client.post(f"{API}/notebooks", json={"name": "nul"}, headers=owner.headers), 201)
    ignored = {"x\x00": "\x00", "y": {"\x00": ["\x00"]}}
    block_with = {"type": "text", "content": {"text": "kept"}, **ignored}
    note = {"title": "kept", "blocks": [block_with], **ignored}
    url = f"{API}/import/notes"
    r = await client.post(
        url, json={"notebook_id": nb["id"], "notes": [note]}, headers=owner.headers
    )
    (made,) = ok(r, 201)["notes"]
    assert made["title"] == "kept"
    bad_block = {"type": "text", "metadata": {"k": "a\x00"}}
    for bad in ({"title": "t\x00"}, {"title": "t", "blocks": [bad_block]}):
        r = await client.post(
            url, json={"notebook_id": nb["id"], "notes": [bad]}, headers=owner.headers
        )
        assert "NUL" in error_of(r, 422)
