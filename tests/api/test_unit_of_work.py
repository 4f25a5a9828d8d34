"""A route's declared session decides read or write, not its HTTP method."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from owlistic.kit.db import ReadOnlyViolation
from owlistic.kit.time import utcnow
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.models import RevokedToken
from owlistic.runtime import Runtime


def _app(runtime: Runtime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime

    @app.get("/write-on-get")
    async def write_on_get(session: WriteSession, jti: str) -> dict[str, str]:
        session.add(RevokedToken(jti=jti, expires_at=utcnow()))
        return {"jti": jti}

    @app.post("/read-on-post")
    async def read_on_post(session: ReadSession, jti: str) -> dict[str, str]:
        session.add(RevokedToken(jti=jti, expires_at=utcnow()))
        await session.flush()
        return {"jti": jti}

    return app


async def _stored(runtime: Runtime, jti: str) -> bool:
    async with runtime.db.session(readonly=True) as session:
        return await session.scalar(select(RevokedToken.jti).where(RevokedToken.jti == jti)) == jti


async def test_a_get_that_declares_a_write_session_commits(runtime: Runtime) -> None:
    jti = uuid.uuid4().hex
    transport = httpx.ASGITransport(app=_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/write-on-get", params={"jti": jti})).status_code == 200
    assert await _stored(runtime, jti)


async def test_a_write_in_a_read_session_fails_loudly(runtime: Runtime) -> None:
    jti = uuid.uuid4().hex
    transport = httpx.ASGITransport(app=_app(runtime), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with pytest.raises(ReadOnlyViolation):
            await client.post("/read-on-post", params={"jti": jti})
    assert not await _stored(runtime, jti)
