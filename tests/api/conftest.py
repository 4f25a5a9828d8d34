"""Accounts shared by the API tests.

Hashing a password costs a noticeable fraction of a second, so tests that neither change nor
delete their account use these session-wide users and isolate themselves by creating their own
notebooks, notes and tasks (assertions only ever concern ids the test created). Tests that
change an account (password, deletion, profile, trash emptying) register a fresh one.
"""

from __future__ import annotations

import os

import httpx
import pytest

from owlistic.runtime import Runtime
from tests.conftest import Account, LiveServer, register

# Only PostgreSQL can be taken away from a running server here (see the module).
collect_ignore = (
    []
    if os.environ.get("OWLISTIC_TEST_DATABASE_URL", "").startswith("postgresql")
    else ["test_database_outage.py"]
)


async def _account(server: LiveServer) -> Account:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        return await register(c)


@pytest.fixture(scope="session")
async def owner(server: LiveServer) -> Account:
    """Creates the resources under test."""
    return await _account(server)


@pytest.fixture(scope="session")
async def peer(server: LiveServer) -> Account:
    """Gets shares from ``owner`` in sharing tests."""
    return await _account(server)


@pytest.fixture(scope="session")
async def outsider(server: LiveServer) -> Account:
    """Never gets any role on ``owner``'s resources."""
    return await _account(server)


@pytest.fixture
def runtime(server: LiveServer) -> Runtime:
    value: Runtime = server.app.state.runtime
    return value
