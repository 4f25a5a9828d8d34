"""Accounts carried over from the original server keep their bcrypt hashes until next login."""

from __future__ import annotations

import uuid

import bcrypt
import httpx
from sqlalchemy import select

from owlistic.auth.passwords import hash_password
from owlistic.models import User
from owlistic.runtime import Runtime


async def test_bcrypt_hash_logs_in_and_is_upgraded_to_argon2(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    email = f"legacy-{uuid.uuid4().hex[:8]}@example.com"
    legacy = bcrypt.hashpw(b"old-password", bcrypt.gensalt(rounds=4)).decode()
    async with runtime.db.session() as session:
        session.add(User(email=email, password_hash=legacy, username=email.split("@")[0]))

    r = await client.post("/api/v1/login", json={"email": email, "password": "old-password"})
    assert r.status_code == 200, r.text
    assert r.json()["token"]

    async with runtime.db.session(readonly=True) as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == email))
    assert stored is not None
    assert stored.startswith("$argon2id$")

    again = await client.post("/api/v1/login", json={"email": email, "password": "old-password"})
    assert again.status_code == 200
    wrong = await client.post("/api/v1/login", json={"email": email, "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "Invalid credentials"


async def test_a_hash_made_at_another_argon2_cost_logs_in_and_takes_the_servers_cost(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    email = f"costly-{uuid.uuid4().hex[:8]}@example.com"
    costlier = runtime.settings.model_copy(
        update={"password_hash_time_cost": runtime.settings.password_hash_time_cost + 1}
    )
    older = hash_password("correct horse battery", costlier)
    async with runtime.db.session() as session:
        session.add(User(email=email, password_hash=older, username=email.split("@")[0]))

    r = await client.post(
        "/api/v1/login", json={"email": email, "password": "correct horse battery"}
    )
    assert r.status_code == 200, r.text
    async with runtime.db.session(readonly=True) as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == email))
    assert stored is not None
    assert f"t={costlier.password_hash_time_cost}," in older
    assert f"t={runtime.settings.password_hash_time_cost}," in stored
    assert f"m={runtime.settings.password_hash_memory_kib}," in stored
    again = await client.post(
        "/api/v1/login", json={"email": email, "password": "correct horse battery"}
    )
    assert again.status_code == 200
