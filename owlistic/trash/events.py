"""What happens to a user's trash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from owlistic.events.domain import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TrashEmptied(DomainEvent):
    user_id: uuid.UUID
