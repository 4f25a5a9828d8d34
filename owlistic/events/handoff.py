"""Hand outbox rows committed in this process straight to the relay (embedded mode).

Saves the relay a database read per wake-up: the rows are in memory already.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

if TYPE_CHECKING:
    from owlistic.events.envelope import OutboxRow

# Receives the committed rows, in commit order.
RowsSink = Callable[[Sequence["OutboxRow"]], None]

_ROWS = "owlistic.outbox_rows"
_sinks: weakref.WeakKeyDictionary[Engine, RowsSink] = weakref.WeakKeyDictionary()


def inserted(session: Session, rows: Sequence[OutboxRow]) -> None:
    """Called by the outbox as the transaction commits, with the rows it inserted."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind in _sinks:
        session.info.setdefault(_ROWS, []).extend(rows)


def _hand_over(session: Session) -> None:
    # The rows are inserted by the outermost commit only (outbox.py), so a savepoint's
    # release finds none here.
    rows: list[OutboxRow] = session.info.pop(_ROWS, [])
    if not rows:
        return
    bind = session.get_bind()
    sink = _sinks.get(bind) if isinstance(bind, Engine) else None
    if sink is not None:
        sink(rows)


def _forget(session: Session, previous: SessionTransaction) -> None:
    # The commit failed after the insert: nothing was committed.
    if previous.parent is None:
        session.info.pop(_ROWS, None)


def register(engine: Engine, sink: RowsSink) -> None:
    """``sink`` receives the outbox rows of every commit on ``engine``, in commit order."""
    for name, fn in (
        ("after_commit", _hand_over),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
    _sinks[engine] = sink


def unregister(engine: Engine) -> None:
    _sinks.pop(engine, None)
