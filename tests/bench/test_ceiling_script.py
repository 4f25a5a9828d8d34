"""The pgbench scripts the PostgreSQL ceiling replays (``bench/ceiling.py: script``)."""

from __future__ import annotations

import uuid

from bench.ceiling import Captured, script


def test_inserts_replay_without_conflicts_and_upserts_as_they_are() -> None:
    block, note, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    captured = Captured(
        statements=[
            ("SELECT notes.title FROM notes WHERE notes.id = $1::UUID", (note,)),
            ("INSERT INTO blocks (id, note_id) VALUES ($1::UUID, $2::UUID)", (block, note)),
            (
                "INSERT INTO search_docs (block_id, user_id, body) "
                "VALUES ($1::UUID, $2::UUID, $3::VARCHAR) "
                "ON CONFLICT (block_id) DO UPDATE SET body = excluded.body",
                (block, user, "at 10:30"),
            ),
            (
                "INSERT INTO events (id) VALUES ($1::UUID) RETURNING events.seq",
                (uuid.uuid4(),),
            ),
        ],
        ended="commit",
    )
    lines = script(captured).splitlines()
    assert lines[0] == "SELECT gen_random_uuid() AS owl_new1, gen_random_uuid() AS owl_new2 \\gset"
    assert lines[1:3] == [
        "BEGIN;",
        f"SELECT notes.title FROM notes WHERE notes.id = '{note}'::UUID;",
    ]
    # A fresh id for the new block, the note's as captured; a plain insert may meet the row
    # an earlier replay left, so it does nothing then.
    assert lines[3] == (
        f"INSERT INTO blocks (id, note_id) VALUES (:owl_new1::UUID, '{note}'::UUID) "
        "ON CONFLICT DO NOTHING;"
    )
    # The upsert keeps its own ON CONFLICT (a second one is a syntax error) and the ids it
    # names first (the user's, read by the request) as they are; the colon of a value is
    # escaped so that pgbench does not read it as a variable.
    assert lines[4] == (
        "INSERT INTO search_docs (block_id, user_id, body) "
        f"VALUES (:owl_new1::UUID, '{user}'::UUID, E'at 10\\x3a30'::VARCHAR) "
        "ON CONFLICT (block_id) DO UPDATE SET body = excluded.body;"
    )
    assert lines[5] == (
        "INSERT INTO events (id) VALUES (:owl_new2::UUID) ON CONFLICT DO NOTHING "
        "RETURNING events.seq;"
    )
    assert lines[-1] == "COMMIT;"
