"""The service scripts wait while another apt/dpkg holds the lock instead of failing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

APT_SH = Path(__file__).resolve().parents[2] / "scripts" / "services" / "apt.sh"


def _fake_apt(tmp_path: Path, busy_runs: int, message: str) -> dict[str, str]:
    """An ``apt-get`` that fails ``busy_runs`` times with ``message``, then succeeds."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    counter = tmp_path / "calls"
    counter.write_text("0")
    fake = bin_dir / "apt-get"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'n=$(( $(cat "{counter}") + 1 )); echo "$n" > "{counter}"\n'
        f'echo "$@" >> "{tmp_path}/args"\n'
        f'if [ "$n" -le {busy_runs} ]; then echo "{message}" >&2; exit 100; fi\n'
        "exit 0\n"
    )
    fake.chmod(0o755)
    return os.environ | {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "OWLISTIC_APT_RETRY_SECONDS": "0",
        "OWLISTIC_APT_WAIT_SECONDS": "5",
    }


def _install(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail; source "{APT_SH}"; apt_install_packages some-pkg'],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_install_waits_while_another_install_holds_the_lock(tmp_path: Path) -> None:
    lock = "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1234 (apt-get)"
    env = _fake_apt(tmp_path, 3, lock)
    result = _install(env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("apt is busy") == 3
    args = (tmp_path / "args").read_text().splitlines()
    assert args[-1].endswith("install -y -qq some-pkg")
    assert all("DPkg::Lock::Timeout=5" in a for a in args)


def test_other_failures_are_not_retried(tmp_path: Path) -> None:
    env = _fake_apt(tmp_path, 99, "E: Unable to locate package some-pkg")
    result = _install(env)
    assert result.returncode == 100
    assert "Unable to locate package" in result.stderr
    assert (tmp_path / "calls").read_text().strip() == "1"
