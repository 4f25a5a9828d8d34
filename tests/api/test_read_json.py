"""Notes and block lists are serialised by the database (``owlistic.kit.sqljson``); what
they return must equal, value for value, what the schema-built responses return."""

from __future__ import annotations

import httpx

from tests.api.helpers import API, block, get, notebook_with_note, ok
from tests.conftest import Account

AWKWARD_CONTENT = {
    "text": 'é ü \u2028 "quoted" \\ <b>&</b> \t 🦉',
    "spans": [{"start": 0, "end": 3, "type": "bold"}],
    "ratio": 0.30000000000000004,
    "count": 7,
    "nested": {"empty": {}, "list": [None, True, 1.5]},
}


async def test_database_built_json_equals_the_schema_responses(
    client: httpx.AsyncClient, owner: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    await block(client, owner, n["id"], "plain")
    await block(client, owner, n["id"], "to do", type="task", metadata={"is_completed": True})
    odd = await block(client, owner, n["id"], order=0.1 + 0.2)
    ok(
        await client.put(
            f"{API}/blocks/{odd['id']}",
            json={"content": AWKWARD_CONTENT, "metadata": {"colour": "amber"}},
            headers=owner.headers,
        )
    )
    # The reference: each block as the schema path writes it (GET /blocks/{id}).
    opened = await get(client, owner, f"/notes/{n['id']}")
    singles = [await get(client, owner, f"/blocks/{b['id']}") for b in opened["blocks"]]
    assert opened["blocks"] == singles
    assert len(singles) == 4
    assert [b["order"] for b in singles] == sorted(b["order"] for b in singles)
    assert next(b for b in singles if b["id"] == odd["id"])["content"] == AWKWARD_CONTENT
    assert 0.1 + 0.2 in [b["order"] for b in singles]  # not rounded to 0.3

    # The note's own fields as the schema path writes them (PUT returns the note).
    renamed = ok(
        await client.put(f"{API}/notes/{n['id']}", json={"title": "Ü 🦉"}, headers=owner.headers)
    )
    opened = await get(client, owner, f"/notes/{n['id']}")
    assert opened == renamed
    assert opened["role"] == "owner"

    listed = await get(client, owner, "/notes", notebook_id=nb["id"])
    assert listed == [{**opened, "role": None}]
    assert await get(client, owner, "/blocks", note_id=n["id"]) == opened["blocks"]
    assert await get(client, owner, f"/blocks/note/{n['id']}") == opened["blocks"]
