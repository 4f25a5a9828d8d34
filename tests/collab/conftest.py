"""Co-editing tests that need a shared broker exist only in the PostgreSQL + Kafka run."""

from __future__ import annotations

from tests.realtime.conftest import POSTGRES, SHARED_BROKER

collect_ignore = [] if SHARED_BROKER and POSTGRES else ["test_collab_cluster.py"]
