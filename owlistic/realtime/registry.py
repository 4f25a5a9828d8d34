"""Every live socket of this process, of any kind, by user: the hook for revocation and caps.

A socket kind (``/ws``, a note's collaboration socket, ...) registers an object that says
whose it is, which login opened it (``session_id``: the token family) and which notes or
notebooks it is bound to (``scope``, empty for a user-wide socket), and that can be told to
close. ``revoke`` is called by the hub for each ``session.revoked`` event from the broker.
"""

from __future__ import annotations

from typing import Protocol

from owlistic.auth.revocation import Revocation

# Close codes: the login or account ended (reconnecting needs a new login) / access to the
# socket's note ended / too many sockets for this user.
CLOSE_REVOKED = 4401
CLOSE_ACCESS_REVOKED = 4403
CLOSE_POLICY = 1008


class RevocableSocket(Protocol):
    @property
    def user_id(self) -> str: ...
    @property
    def session_id(self) -> str: ...
    @property
    def scope(self) -> frozenset[str]: ...
    def close_soon(self, code: int, reason: str) -> None:
        """Must not block: the socket closes itself from its own task."""


class TooManySockets(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"too many connections: at most {limit} per user")


class ConnectionRegistry:
    def __init__(self, max_per_user: int) -> None:
        self._max_per_user = max_per_user
        self._by_user: dict[str, set[RevocableSocket]] = {}

    def register(self, socket: RevocableSocket) -> None:
        """Raises ``TooManySockets`` when the user already has the maximum open here."""
        sockets = self._by_user.setdefault(socket.user_id, set())
        if len(sockets) >= self._max_per_user:
            if not sockets:
                del self._by_user[socket.user_id]
            raise TooManySockets(self._max_per_user)
        sockets.add(socket)

    def unregister(self, socket: RevocableSocket) -> None:
        sockets = self._by_user.get(socket.user_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._by_user[socket.user_id]

    def count(self, user_id: str | None = None) -> int:
        if user_id is not None:
            return len(self._by_user.get(user_id, ()))
        return sum(len(s) for s in self._by_user.values())

    def revoke(self, revocation: Revocation) -> int:
        """Tells the affected sockets to close; returns how many."""
        closed = 0
        for socket in list(self._by_user.get(revocation.user_id, ())):
            if revocation.session_id is not None and socket.session_id != revocation.session_id:
                continue
            if revocation.resource_ids:
                if not socket.scope & revocation.resource_ids:
                    continue
                socket.close_soon(CLOSE_ACCESS_REVOKED, revocation.reason)
            else:
                socket.close_soon(CLOSE_REVOKED, revocation.reason)
            closed += 1
        return closed
