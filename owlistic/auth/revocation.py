"""Ending live sessions: a revocation is an event, so every server process closes its sockets.

It goes through the outbox like any change (committed with the logout, password change,
deletion, ...), the relay publishes it on the ``session`` topic and each process's hub hands
it to its ``realtime.registry.ConnectionRegistry``, which closes the matching sockets of
every kind that registered there. Its audience is empty, so no client ever receives it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events.domain import DomainEvent, Wire, register
from owlistic.events.outbox import emit

EVENT = "session.revoked"
ENTITY = "session"


@dataclass(frozen=True)
class Revocation:
    """Which sockets of ``user_id`` must close: those of one login (``session_id``), or all;
    with ``resource_ids``, only those opened on one of these notes or notebooks."""

    user_id: str
    reason: str
    session_id: str | None = None
    resource_ids: frozenset[str] = field(default_factory=frozenset)

    def to_data(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "reason": self.reason,
            "session_id": self.session_id,
            "resource_ids": sorted(self.resource_ids),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Revocation:
        session_id = data.get("session_id")
        return cls(
            user_id=str(data["user_id"]),
            reason=str(data.get("reason") or "session revoked"),
            session_id=str(session_id) if session_id else None,
            resource_ids=frozenset(str(r) for r in data.get("resource_ids") or ()),
        )


@dataclass(frozen=True, kw_only=True)
class SessionRevoked(DomainEvent):
    """Internal: never shown to clients (empty audience), read by every process's hub."""

    revocation: Revocation


def _render(e: SessionRevoked) -> Wire:
    uid = e.revocation.user_id
    return Wire(
        event=EVENT,
        entity=ENTITY,
        resource_type="user",
        resource_id=uid,
        data=e.revocation.to_data(),
    )


async def _nobody(_session: AsyncSession, _e: SessionRevoked) -> set[str]:
    return set()


def install() -> None:
    """Registers the event type (idempotent); done by ``create_app``."""
    register(SessionRevoked, key=lambda e: e.revocation.user_id, audience=_nobody, render=_render)


async def emit_revocation(session: AsyncSession, revocation: Revocation) -> None:
    await emit(session, SessionRevoked(revocation=revocation))


async def revoke_user_sessions(session: AsyncSession, user_id: uuid.UUID, reason: str) -> None:
    await emit_revocation(session, Revocation(user_id=str(user_id), reason=reason))


async def revoke_login(
    session: AsyncSession, user_id: uuid.UUID, session_id: str, reason: str
) -> None:
    await emit_revocation(
        session, Revocation(user_id=str(user_id), reason=reason, session_id=session_id)
    )


async def revoke_access(
    session: AsyncSession, user_id: uuid.UUID, resource_ids: set[uuid.UUID], reason: str
) -> None:
    await emit_revocation(
        session,
        Revocation(
            user_id=str(user_id),
            reason=reason,
            resource_ids=frozenset(str(r) for r in resource_ids),
        ),
    )
