"""7. Attachments: upload and download throughput, and the server's memory while it streams.

Embedded mode stores blobs in a folder (``file://``), production in S3 (S3Proxy from
``scripts/services/s3.sh``). The server's RSS is sampled every 50 ms during each transfer:
streaming means its peak grows by far less than the file size.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from bench.context import Context
from bench.procstat import memory_kib
from bench.scenarios import Results, Scenario, Target, ok, table

MIB = 1024 * 1024
SAMPLE_SECONDS = 0.05
TRANSFER_TIMEOUT = 600.0


@contextlib.asynccontextmanager
async def _rss_peak(pid: int) -> AsyncIterator[dict[str, float]]:
    """Samples the server's RSS while the block runs; yields {"before", "peak"} in MiB."""
    found = {"before": memory_kib(pid).get("VmRSS", 0) / 1024, "peak": 0.0}
    found["peak"] = found["before"]
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            found["peak"] = max(found["peak"], memory_kib(pid).get("VmRSS", 0) / 1024)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), SAMPLE_SECONDS)

    task = asyncio.create_task(sample())
    try:
        yield found
    finally:
        done.set()
        await task


async def _account(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    email = f"bench-{os.urandom(4).hex()}@example.com"
    password = "correct horse battery staple"
    (
        await client.post("/api/v1/register", json={"email": email, "password": password})
    ).raise_for_status()
    login = await client.post("/api/v1/login", json={"email": email, "password": password})
    headers = {"Authorization": f"Bearer {login.raise_for_status().json()['token']}"}
    nb = (await client.post("/api/v1/notebooks", json={"name": "bench"}, headers=headers)).json()
    note = await client.post(
        "/api/v1/notes", json={"notebook_id": nb["id"], "title": "bench"}, headers=headers
    )
    return headers, note.raise_for_status().json()["id"]


def _random_file(folder: Path, size: int) -> Path:
    path = folder / f"{size}.bin"
    with path.open("wb") as f:
        for _ in range(size // MIB):
            f.write(os.urandom(MIB))
    return path


async def run(ctx: Context) -> dict[str, Any]:
    sizes = ctx.profile.attachment_mib
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="owlistic-bench-files-") as tmp:
        limits = {
            "OWLISTIC_ATTACHMENT_MAX_BYTES": str((max(sizes) + 1) * MIB),
            "OWLISTIC_ATTACHMENT_QUOTA_BYTES": str(1024 * 1024 * MIB),
        }
        async with ctx.server("attachments", profile=False, env=limits) as server:
            pid = server.pid
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=TRANSFER_TIMEOUT
            ) as client:
                headers, note_id = await _account(client)
                for mib in sizes:
                    uploads, downloads, peaks = [], [], []
                    for _ in range(ctx.profile.attachment_repeats):
                        path = await asyncio.to_thread(_random_file, Path(tmp), mib * MIB)
                        async with _rss_peak(pid) as up_rss:
                            started = time.perf_counter()
                            with path.open("rb") as f:
                                r = await client.post(
                                    "/api/v1/attachments",
                                    data={"note_id": note_id},
                                    files={"file": (path.name, f, "application/octet-stream")},
                                    headers=headers,
                                )
                            uploads.append(time.perf_counter() - started)
                        r.raise_for_status()
                        attachment = r.json()["id"]
                        async with _rss_peak(pid) as down_rss:
                            started = time.perf_counter()
                            async with client.stream(
                                "GET", f"/api/v1/attachments/{attachment}", headers=headers
                            ) as response:
                                response.raise_for_status()
                                async for _ in response.aiter_bytes(MIB):
                                    pass
                            downloads.append(time.perf_counter() - started)
                        peaks.append(
                            max(
                                up_rss["peak"] - up_rss["before"],
                                down_rss["peak"] - down_rss["before"],
                            )
                        )
                        path.unlink()
                    results.append(
                        {
                            "mib": mib,
                            "upload_mib_s": round(mib / (sum(uploads) / len(uploads)), 1),
                            "download_mib_s": round(mib / (sum(downloads) / len(downloads)), 1),
                            "rss_growth_mib": round(max(peaks), 1),
                            "repeats": len(uploads),
                        }
                    )
    return {"store": "file://" if ctx.mode == "embedded" else "s3:// (S3Proxy)", "sizes": results}


def markdown(results: Results) -> list[str]:
    rows = [
        [
            mode,
            r["store"],
            f"{s['mib']} MiB",
            f"{s['upload_mib_s']:.1f}",
            f"{s['download_mib_s']:.1f}",
            f"{s['rss_growth_mib']:.1f}",
        ]
        for mode, r in ok(results).items()
        for s in r["sizes"]
    ]
    if not rows:
        return []
    return [
        "One client uploads a file of random bytes (`POST /api/v1/attachments`, multipart) and "
        "downloads it again (`GET /api/v1/attachments/{id}`), mean over the repeats. "
        "RSS growth: the server's peak RSS during a transfer minus its RSS just before it "
        "(sampled every 50 ms, all server processes); a server that held the file in memory "
        "would grow by the file's size.",
        "",
        *table(
            ["mode", "store", "file", "upload MiB/s", "download MiB/s", "RSS growth MiB"],
            rows,
        ),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, r in ok(results).items():
        for s in r["sizes"]:
            if s["mib"] >= 100:
                found.append(
                    Target(
                        what=f"server memory while streaming a {s['mib']} MiB file",
                        mode=mode,
                        goal="RSS grows by < 1/4 of the file",
                        measured=f"{s['rss_growth_mib']:.1f} MiB",
                        met=s["rss_growth_mib"] < s["mib"] / 4,
                    )
                )
    return found


SCENARIO = Scenario(
    name="attachments",
    title="Attachments: upload/download throughput and memory",
    description=__doc__ or "",
    run=run,
    markdown=markdown,
    targets=targets,
)
