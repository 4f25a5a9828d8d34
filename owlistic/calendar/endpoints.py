from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from owlistic.auth.dependencies import CurrentUser
from owlistic.calendar import service
from owlistic.kit.errors import NotFound
from owlistic.kit.responses import errors
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.runtime import RuntimeDep

router = APIRouter(prefix="/calendar", tags=["calendar"])

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{20,100}$")
ICS = "text/calendar; charset=utf-8"


class FeedOut(BaseModel):
    url: str
    token: str


@router.post("/feed", response_model=FeedOut, responses=errors(401))
async def create_feed(
    request: Request, user: CurrentUser, session: WriteSession, runtime: RuntimeDep
) -> FeedOut:
    """Creates the caller's secret feed URL, or replaces it (the old URL stops working)."""
    token = await service.rotate(session, user.id)
    base = (runtime.settings.public_url or str(request.base_url)).rstrip("/")
    return FeedOut(url=f"{base}/api/v1/calendar/{token}.ics", token=token)


@router.delete("/feed", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 404))
async def revoke_feed(user: CurrentUser, session: WriteSession) -> Response:
    await service.revoke(session, user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **errors(404, 422)},
)
async def get_feed(
    token: str, request: Request, session: ReadSession, runtime: RuntimeDep
) -> Response:
    """The tasks as iCalendar, for calendar apps; the token in the URL is the credential.
    Send ``If-None-Match`` with the last ``ETag`` to get a bodiless 304 when nothing changed."""
    if not _TOKEN.match(token):
        raise NotFound("no such calendar feed")
    user_id = await service.owner_of(session, token)
    tag = await service.etag(session, user_id, runtime.settings)
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if tag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = await service.feed(session, user_id, runtime.settings, tag)
    return Response(body, media_type=ICS, headers=headers)
