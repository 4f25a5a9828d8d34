"""Schemathesis (``--checks all``, stateful included) against the live server: no server
error and no response or behaviour that the OpenAPI schema does not describe.

``make test`` runs it at a small budget; ``make fuzz`` sets ``OWLISTIC_FUZZ_EXAMPLES`` high.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import httpx

from tests.conftest import LiveServer, register

EXAMPLES = int(os.environ.get("OWLISTIC_FUZZ_EXAMPLES", "3"))
TIMEOUT = float(os.environ.get("OWLISTIC_FUZZ_TIMEOUT", "1800"))
# Operations that would end the session under test (the fuzzer has no way back in).
ENDS_SESSION = [
    "--exclude-path",
    "/api/v1/logout",
    "--exclude-path",
    "/api/v1/users/{user_id}/password",
    "--exclude-by",
    "method == 'DELETE' and path == '/api/v1/users/{user_id}'",
    # Its 503 (database or broker away) is its answer, not a server error.
    "--exclude-path",
    "/readyz",
]
# Known gap, not yet stated by the schema: the inputs of search (`q`, `tag`), tags (`tag`,
# rename), time zones (`time_zone`, `tz`) and push endpoints are checked by rules the
# OpenAPI schema does not express yet, so schema-valid requests can still get a 4xx there.
# Every other check (server errors, response conformance, negative data, stateful links)
# runs on every operation.
KNOWN_GAPS = ["--exclude-checks", "positive_data_acceptance"]


async def test_schemathesis_finds_no_failure(server: LiveServer, tmp_path: Path) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        account = await register(client)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
        "--seed",
        os.environ.get("OWLISTIC_FUZZ_SEED", "1"),
        "--header",
        f"Authorization: Bearer {account.token}",
        "--no-color",
        *ENDS_SESSION,
        *KNOWN_GAPS,
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    text = output.decode(errors="replace")
    (tmp_path / "schemathesis.log").write_text(text)
    cases = re.search(r"(\d+) generated", text)
    print(f"schemathesis: {cases.group(1) if cases else '?'} test cases")
    assert process.returncode == 0, text[-6000:]
    assert cases is not None, text[-2000:]
    assert int(cases.group(1)) > 0
