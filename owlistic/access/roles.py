from __future__ import annotations

from enum import IntEnum


class Rank(IntEnum):
    NONE = 0
    VIEWER = 1
    EDITOR = 2
    OWNER = 3
    ADMIN = 4

    @classmethod
    def of(cls, role: str | None) -> Rank:
        return _BY_NAME.get(role or "", cls.NONE)

    @property
    def role_name(self) -> str:
        return self.name.lower()


_BY_NAME = {"viewer": Rank.VIEWER, "editor": Rank.EDITOR, "owner": Rank.OWNER, "admin": Rank.ADMIN}
