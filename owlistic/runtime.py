"""What one server process holds while it runs; built in the app's lifespan, never at import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from owlistic.events.pipeline import EventPipeline
from owlistic.kit.db import Database
from owlistic.settings import Settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    jwt_secret: str
    events: EventPipeline


async def get_runtime(request: Request) -> Runtime:  # async: no thread-pool hop per request
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
