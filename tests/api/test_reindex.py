"""``owlistic reindex`` rebuilds the search index; on PostgreSQL in the configured language."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import httpx
from sqlalchemy import delete, text

from owlistic.models import SearchDoc
from owlistic.search import query as q
from owlistic.search import repository
from owlistic.settings import Settings
from tests.api.helpers import block, get, note, notebook
from tests.conftest import register, run_database, running_server
from tests.realtime.conftest import POSTGRES
from tests.realtime.processes import server_env


async def _reindex(settings: Settings, data_dir: Path, **env: str) -> tuple[int, str]:
    environment = server_env(settings, data_dir) | env
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "owlistic",
        "reindex",
        env=environment,
        cwd=data_dir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode()


async def test_reindex_rebuilds_a_lost_index_and_changes_the_language(
    settings: Settings, tmp_path: Path
) -> None:
    async with run_database(tmp_path / "reindex.db") as url:
        own = settings.model_copy(update={"database_url": url})
        async with (
            running_server(own) as live,
            httpx.AsyncClient(base_url=live.url, timeout=30) as client,
        ):
            alice = await register(client)
            n = await note(client, alice, (await notebook(client, alice))["id"], "Shoes")
            b = await block(client, alice, n["id"], "the runners were running")

            async def hits(q: str) -> list[str | None]:
                body = await get(client, alice, "/search", q=q)
                return [r["block_id"] for r in body["results"]]

            async def title_scores(text: str) -> list[float]:
                """As when the word is common: found through the titles' own index."""
                async with live.app.state.runtime.db.session(readonly=True) as session:
                    dialect = session.get_bind().dialect.name
                    found = await repository.search(
                        session,
                        repository.engine_for(dialect, own.search_language),
                        uuid.UUID(alice.id),
                        q.parse(text, max_terms=own.search_max_terms),
                        repository.Filters(kind=None, notebook_id=None, tag=None),
                        dialect=dialect,
                        offset=0,
                        limit=10,
                        narrow_rows=0,
                        candidate_rows=10,
                    )
                return [h.score for h in found]

            assert await hits("running") == [b["id"]]
            # As after data loaded around the server: the index lost its rows.
            async with live.app.state.runtime.db.session() as session:
                await session.execute(delete(SearchDoc))
            assert await hits("running") == []
            code, out = await _reindex(own, tmp_path)
            assert (code, "search index rebuilt: 2 rows") == (0, out.strip().split(" (")[0])
            assert await hits("running") == [b["id"]]
            assert await hits("shoes") == [None]  # the note's own row (its title)
            assert await title_scores("shoes") == [repository.HEAD_SCORE]
            if not POSTGRES:
                return
            # An unknown language is refused, and the index stays as it was.
            code, out = await _reindex(own, tmp_path, OWLISTIC_SEARCH_LANGUAGE="klingon")
            assert code == 2
            assert "klingon" in out
            assert await hits("running") == [b["id"]]
            # Stemming: the vector is made again in English.
            code, out = await _reindex(own, tmp_path, OWLISTIC_SEARCH_LANGUAGE="english")
            assert code == 0
            assert "(english)" in out
            async with live.app.state.runtime.db.session(readonly=True) as session:
                vector = await session.scalar(
                    text("SELECT tsv::text FROM search_docs WHERE block_id IS NOT NULL")
                )
            assert vector is not None
            assert "'run'" in vector  # runners, running -> run
            assert await title_scores("shoe") == [repository.HEAD_SCORE]
