"""How big each scenario runs: ``full`` (the issue's sizes), ``quick``, ``tiny`` (smoke test)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """A seeded dataset: each user owns ``notebooks`` x ``notes`` x ``blocks``."""

    users: int
    notebooks: int
    notes: int
    blocks: int
    task_every: int = 10  # every n-th block of a note is a checklist item with its task

    @property
    def total_blocks(self) -> int:
        return self.users * self.notebooks * self.notes * self.blocks


@dataclass(frozen=True)
class Profile:
    name: str
    rest_shape: Shape
    rest_clients: tuple[int, ...]
    rest_op_clients: tuple[int, ...]  # each operation alone (and the mix) at these
    ceiling_variants: int  # captured requests per operation (pgbench scripts)
    rest_seconds: float
    warmup_seconds: float
    ws_samples: int
    fanout_connections: tuple[int, ...]
    fanout_writes: int
    fanout_rest_shares: int  # shares above this count are inserted in bulk
    relay_clients: int
    relay_seconds: float
    relay_backlog: int
    footprint_restarts: int
    growth_blocks: tuple[int, ...]
    growth_requests: int
    search_requests: int  # search queries at each size (and at most 50 of the worst case)
    attachment_mib: tuple[int, ...]  # file sizes uploaded and downloaded
    attachment_repeats: int
    reminder_pending: int
    reminder_due: int
    feed_tasks: int
    feed_polls: int
    collab_keystrokes: int  # keystroke -> other editor samples
    collab_editors: int  # editors on one note, converging
    collab_documents: int  # open documents for the memory figure
    collab_big_note: int  # blocks of the big note
    collab_edits: int  # edits before measuring the stored size


FULL = Profile(
    name="full",
    rest_shape=Shape(users=100, notebooks=20, notes=50, blocks=40),
    rest_clients=(1, 16, 64, 256),
    rest_op_clients=(1, 16, 64),
    ceiling_variants=32,
    rest_seconds=20.0,
    warmup_seconds=3.0,
    ws_samples=1000,
    fanout_connections=(1_000, 5_000, 10_000),
    fanout_writes=5,
    fanout_rest_shares=1_000,
    relay_clients=32,
    relay_seconds=20.0,
    relay_backlog=100_000,
    footprint_restarts=5,
    growth_blocks=(10_000, 100_000, 1_000_000),
    growth_requests=2_000,
    search_requests=1_000,
    attachment_mib=(1, 100),
    attachment_repeats=5,
    reminder_pending=100_000,
    reminder_due=200,
    feed_tasks=10_000,
    feed_polls=500,
    collab_keystrokes=1000,
    collab_editors=100,
    collab_documents=200,
    collab_big_note=5_000,
    collab_edits=10_000,
)

QUICK = Profile(
    name="quick",
    rest_shape=Shape(users=20, notebooks=4, notes=10, blocks=40),
    rest_clients=(1, 16, 64),
    rest_op_clients=(1, 16, 64),
    ceiling_variants=32,
    rest_seconds=5.0,
    warmup_seconds=1.0,
    ws_samples=200,
    fanout_connections=(100, 1_000),
    fanout_writes=3,
    fanout_rest_shares=100,
    relay_clients=16,
    relay_seconds=5.0,
    relay_backlog=10_000,
    footprint_restarts=3,
    growth_blocks=(10_000, 50_000),
    growth_requests=300,
    search_requests=300,
    attachment_mib=(1, 100),
    attachment_repeats=2,
    reminder_pending=100_000,
    reminder_due=100,
    feed_tasks=10_000,
    feed_polls=200,
    collab_keystrokes=300,
    collab_editors=100,
    collab_documents=50,
    collab_big_note=5_000,
    collab_edits=10_000,
)

TINY = Profile(
    name="tiny",
    rest_shape=Shape(users=2, notebooks=1, notes=2, blocks=10),
    rest_clients=(2,),
    rest_op_clients=(1,),
    ceiling_variants=1,
    rest_seconds=1.0,
    warmup_seconds=0.2,
    ws_samples=10,
    fanout_connections=(5,),
    fanout_writes=1,
    fanout_rest_shares=5,
    relay_clients=2,
    relay_seconds=1.0,
    relay_backlog=200,
    footprint_restarts=1,
    growth_blocks=(500,),
    growth_requests=20,
    search_requests=20,
    attachment_mib=(1,),
    attachment_repeats=1,
    reminder_pending=200,
    reminder_due=5,
    feed_tasks=50,
    feed_polls=5,
    collab_keystrokes=10,
    collab_editors=3,
    collab_documents=3,
    collab_big_note=50,
    collab_edits=50,
)

PROFILES = {p.name: p for p in (FULL, QUICK, TINY)}
