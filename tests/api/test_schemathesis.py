"""Schemathesis (every check, stateful included) against the live server: no server
error and no response or behaviour that the OpenAPI schema does not describe.

``make test`` runs it once at a small budget (``OWLISTIC_FUZZ_EXAMPLES`` cases per operation).
``make fuzz`` also sets ``OWLISTIC_FUZZ_SECONDS``: schemathesis then repeats its fuzzing and
stateful phases until that time is spent and stops there, so a loaded machine runs fewer
cases instead of running over.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import httpx

from tests.conftest import LiveServer, register

ROOT = Path(__file__).resolve().parents[2]  # the hooks module is imported from here
EXAMPLES = int(os.environ.get("OWLISTIC_FUZZ_EXAMPLES", "3"))
BUDGET = os.environ.get("OWLISTIC_FUZZ_SECONDS")
SECONDS = None if BUDGET is None else int(BUDGET)
# A bounded run ends at its budget plus the case in flight and the report; an unbounded one
# (the small budget) is only stopped here if it hangs.
TIMEOUT = 1800.0 if SECONDS is None else SECONDS + 300.0
# Operations that would end the session under test (the fuzzer has no way back in).
ENDS_SESSION = [
    "--exclude-path",
    "/api/v1/logout",
    "--exclude-path",
    "/api/v1/users/{user_id}/password",
    "--exclude-name",  # (``--exclude-by`` takes one JSON pointer into the operation)
    "DELETE /api/v1/users/{user_id}",
    # Its 503 (database or broker away) is its answer, not a server error.
    "--exclude-path",
    "/readyz",
]
EXCLUDED = sum(1 for flag in ENDS_SESSION if flag.startswith("--exclude-"))
# Known gaps: (operation, check) pairs turned off until the schema and the server agree there
# (none now: every check runs on every operation).
KNOWN_GAPS: list[tuple[str, str]] = []


def config(gaps: list[tuple[str, str]]) -> str:
    """A schemathesis.toml: every check (the default), minus ``gaps``."""
    return "".join(
        f'[[operations]]\ninclude-name = "{name}"\nchecks.{check}.enabled = false\n\n'
        for name, check in gaps
    )


async def test_schemathesis_finds_no_failure(server: LiveServer, tmp_path: Path) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
        account = await register(client)
        # Built once, then cached: on a loaded machine the first build can outlast
        # schemathesis's 10 s for loading the schema.
        assert (await client.get("/openapi.json")).status_code == 200
    settings_file = tmp_path / "schemathesis.toml"
    settings_file.write_text(config(KNOWN_GAPS))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(settings_file),
        "run",
        f"{server.url}/openapi.json",
        "--max-examples",
        str(EXAMPLES),
        *([] if SECONDS is None else ["--max-time", str(SECONDS)]),
        "--workers",
        "1",
        "--seed",
        os.environ.get("OWLISTIC_FUZZ_SEED", "1"),
        "--header",
        f"Authorization: Bearer {account.token}",
        "--no-color",
        *ENDS_SESSION,
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
            "PYTHONPATH": str(ROOT),
        },
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
    assert "Unsupported regex" not in text, "every pattern the schema states is checked"
    selected = re.search(r"Operations:\s+(\d+) selected / (\d+) total", text)
    assert selected is not None, text[:2000]
    assert int(selected.group(2)) - int(selected.group(1)) == EXCLUDED, "every exclusion applies"
