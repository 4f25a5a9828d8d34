"""Who owns what. The owner columns are the one source of truth: ``notebooks.user_id`` owns
the notebook and everything in it, ``notes.user_id`` owns the note, and every access decision
reads them (``note_rank``/``notebook_rank`` answer OWNER from them before any role is read).

The ``owner`` role rows the original API lists (``GET /roles``) are derived
from those columns, written once here when the resource is created and never changed (an
owner cannot be removed or reassigned); role rows grant only viewer and editor.
"""

from __future__ import annotations

from typing import Literal

from owlistic.models import Note, Notebook, Role, User


def owner_role(resource: User | Notebook | Note) -> Role:
    """The listed ``owner`` row of a new account, notebook or note, from its owner column."""
    kind: Literal["user", "notebook", "note"]
    if isinstance(resource, User):
        kind, owner = "user", resource.id
    elif isinstance(resource, Notebook):
        kind, owner = "notebook", resource.user_id
    else:
        kind, owner = "note", resource.user_id
    return Role(user_id=owner, resource_id=resource.id, resource_type=kind, role="owner")
