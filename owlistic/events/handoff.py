"""Hand outbox rows committed in this process straight to the relay (embedded mode).

Saves the relay a database read per wake-up: the rows are in memory already.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from owlistic.events.envelope import MESSAGE_COLUMNS
from owlistic.models import OutboxEvent

# Receives the committed rows, or None when they cannot be used as they are (expired or
# rolled back): the relay then reads the outbox instead.
RowsSink = Callable[[list[OutboxEvent] | None], None]

_ROWS = "owlistic.outbox_rows"
_sinks: weakref.WeakKeyDictionary[Engine, RowsSink] = weakref.WeakKeyDictionary()


def _collect(session: Session, _flush: UOWTransaction) -> None:
    # In after_flush, ``session.new`` still lists what this flush inserted.
    rows = [obj for obj in session.new if isinstance(obj, OutboxEvent)]
    if rows:
        session.info.setdefault(_ROWS, []).extend(rows)


def _hand_over(session: Session) -> None:
    rows: list[OutboxEvent] = session.info.pop(_ROWS, [])
    if not rows:
        return
    bind = session.get_bind()
    sink = _sinks.get(bind) if isinstance(bind, Engine) else None
    if sink is None:
        return
    # A savepoint rollback leaves its rows transient; expire_on_commit would unload them.
    kept = [r for r in rows if inspect(r).persistent]
    usable = all(MESSAGE_COLUMNS.isdisjoint(inspect(r).unloaded) for r in kept)
    sink(kept if usable else None)


def _forget(session: Session, previous: SessionTransaction) -> None:
    # Only the outermost rollback discards everything; a savepoint's rows are dropped by
    # the persistence check at commit.
    if previous.parent is None:
        session.info.pop(_ROWS, None)


def register(engine: Engine, sink: RowsSink) -> None:
    """``sink`` receives the outbox rows of every commit on ``engine``, in commit order."""
    for name, fn in (
        ("after_flush", _collect),
        ("after_commit", _hand_over),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
    _sinks[engine] = sink


def unregister(engine: Engine) -> None:
    _sinks.pop(engine, None)
