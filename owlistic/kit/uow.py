"""The request's unit of work. A route says which kind it needs, by the type it declares:

- ``WriteSession``: commits after the endpoint returns (before the response is sent) and
  rolls back on any error; on SQLite it takes the write lock up front.
- ``ReadSession``: never commits, and refuses to write (``ReadOnlyViolation``), so a read
  route that starts writing fails loudly instead of being rolled back silently.

Every dependency of a request (the caller's authentication included) shares the one
session; it is a write session exactly when the route's dependencies include
``WriteSession``, whatever the HTTP method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, NewType, Protocol

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.db import Database

ReadSessionT = NewType("ReadSessionT", AsyncSession)
WriteSessionT = NewType("WriteSessionT", AsyncSession)


class _HasDatabase(Protocol):
    @property
    def db(self) -> Database: ...


def database_of(request: Request) -> Database:
    runtime: _HasDatabase = request.app.state.runtime
    return runtime.db


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    route = request.scope.get("route")
    writes = isinstance(route, APIRoute) and _writes(route)
    async with database_of(request).session(readonly=not writes) as session:
        yield session


RequestSession = Annotated[AsyncSession, Depends(request_session, scope="function")]


async def write_session(session: RequestSession) -> WriteSessionT:
    return WriteSessionT(session)


async def read_session(session: RequestSession) -> ReadSessionT:
    return ReadSessionT(session)


WriteSession = Annotated[WriteSessionT, Depends(write_session)]
ReadSession = Annotated[ReadSessionT, Depends(read_session)]


def _calls(dependant: Dependant) -> set[object]:
    found: set[object] = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


# Routes are not hashable; they live as long as their app, so keep them with the answer.
_writes_by_route: dict[int, tuple[APIRoute, bool]] = {}


def _writes(route: APIRoute) -> bool:
    known = _writes_by_route.get(id(route))
    if known is not None and known[0] is route:
        return known[1]
    calls = _calls(route.dependant)
    if write_session in calls and read_session in calls:
        raise TypeError(f"{route.path} declares both a ReadSession and a WriteSession")
    _writes_by_route[id(route)] = (route, write_session in calls)
    return write_session in calls
