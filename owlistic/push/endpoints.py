from __future__ import annotations

from fastapi import APIRouter, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.uow import WriteSession
from owlistic.push import service
from owlistic.push.schemas import PushKey, SubscriptionIn, SubscriptionOut, Unsubscribe
from owlistic.push.vapid import public_key
from owlistic.runtime import RuntimeDep

router = APIRouter(prefix="/push", tags=["push"])


@router.get("/key", response_model=PushKey, responses=errors(401))
async def get_key(_: CurrentUser, push: service.PushDep) -> PushKey:
    """The VAPID public key to pass to ``pushManager.subscribe`` as applicationServerKey."""
    return PushKey(public_key=public_key(push.vapid))


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionOut,
    responses=errors(401, 409, 422),
)
async def subscribe(
    body: SubscriptionIn, user: CurrentUser, session: WriteSession, runtime: RuntimeDep
) -> SubscriptionOut:
    sub = await service.subscribe(session, runtime.settings, user.id, body)
    return SubscriptionOut(endpoint=sub.endpoint)


@router.delete(
    "/subscriptions",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 404, 422),
)
async def unsubscribe(
    body: Unsubscribe, user: CurrentUser, session: WriteSession, runtime: RuntimeDep
) -> Response:
    await service.unsubscribe(session, runtime.settings, user.id, body.endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
