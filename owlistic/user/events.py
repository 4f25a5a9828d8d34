"""What happens to accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from owlistic.events.domain import DomainEvent


@dataclass(frozen=True, kw_only=True)
class UserEvent(DomainEvent):
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UserCreated(UserEvent):
    email: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class UserUpdated(UserEvent):
    email: str
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class UserDeleted(UserEvent):
    deleted_at: datetime
