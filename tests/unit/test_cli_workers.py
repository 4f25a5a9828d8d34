"""``owlistic serve --workers N``: refused unless PostgreSQL and Kafka are shared; workers get
the settings the command line resolved. (The live run is tests/realtime/test_workers.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from uvicorn.config import STARTUP_FAILURE

from owlistic import cli
from owlistic.settings import ConfigurationError, Settings, get_settings

POSTGRES = "postgresql+asyncpg://owl:pw@db.invalid:5432/owlistic"
KAFKA = "kafka://kafka.invalid:9092"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A clean ``OWLISTIC_*`` environment for ``cli.main`` (which reads it), in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"OWLISTIC_{name.upper()}", raising=False)
    for legacy in ("APP_PORT", "JWT_SECRET", "JWT_EXPIRATION_HOURS", "APP_ORIGINS"):
        monkeypatch.delenv(legacy, raising=False)
    monkeypatch.setenv("OWLISTIC_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def serve_refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["serve", "--port", "1", *argv]) == 2
    return capsys.readouterr().err


def test_workers_are_refused_on_the_embedded_defaults(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = serve_refusal(["--workers", "2"], capsys)
    assert "2 workers (--workers / OWLISTIC_WORKERS) need PostgreSQL and Kafka" in err
    assert "in-process broker (memory://)" in err
    assert "SQLite allows one writer" in err


def test_workers_are_refused_with_the_memory_broker(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("OWLISTIC_DATABASE_URL", POSTGRES)
    err = serve_refusal(["--workers", "4"], capsys)
    assert "in-process broker (memory://)" in err
    assert "SQLite" not in err


def test_workers_are_refused_on_sqlite(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("OWLISTIC_BROKER_URL", KAFKA)
    env.setenv("OWLISTIC_WORKERS", "2")  # the setting, not the flag
    err = serve_refusal([], capsys)
    assert "SQLite allows one writer" in err
    assert "memory://" not in err


def test_the_refusal_comes_before_the_secret_check(
    tmp_path: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("OWLISTIC_ENV", "production")  # no secret: would be refused for that too
    err = serve_refusal(["--workers", "2"], capsys)
    assert "need PostgreSQL and Kafka" in err
    assert not (tmp_path / "jwt_secret").exists()


def test_one_worker_and_shared_services_are_accepted(env: pytest.MonkeyPatch) -> None:
    Settings().check_workers()  # the default: one process, embedded
    Settings(workers=1, broker_url="memory://").check_workers()
    Settings(workers=8, database_url=POSTGRES, broker_url=KAFKA).check_workers()
    with pytest.raises(ConfigurationError, match="need PostgreSQL and Kafka"):
        Settings(workers=2, database_url=POSTGRES, broker_url="MEMORY://").check_workers()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_flag_must_be_a_positive_number(
    value: str, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--workers", value])
    assert exited.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_workers_setting_must_be_positive(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Settings(workers=0)


def test_worker_environment_rebuilds_the_same_settings(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    configured = Settings(
        env="production",
        host="0.0.0.0",
        port=8123,
        workers=3,
        data_dir=tmp_path / "data",
        database_url=POSTGRES,
        broker_url=KAFKA,
        kafka_partitions=6,
        registration_open=False,
        database_echo=True,
        cors_origins=["https://a.example", "https://b.example"],
        outbox_retention_hours=1.5,
        jwt_secret=SecretStr("s" * 40),
    )
    exported = configured.to_environment()
    assert "OWLISTIC_JWT_SECRET" not in exported  # secrets stay where they were configured
    for name, value in exported.items():
        env.setenv(name, value)
    env.setenv("OWLISTIC_JWT_SECRET", "s" * 40)  # as the workers would find it
    env.setenv("APP_PORT", "9999")  # a legacy alias never wins over the exported value
    rebuilt = Settings()
    assert rebuilt == configured
    assert rebuilt.port == 8123


def test_workers_stop_when_one_cannot_start(tmp_path: Path) -> None:
    """A worker whose lifespan fails (here: the database does not resolve) stops them all,
    and the parent exits with uvicorn's start-up failure code instead of forking
    replacements that would fail the same way."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OWLISTIC_")}
    environment |= {
        "OWLISTIC_DATA_DIR": str(tmp_path),
        "OWLISTIC_DATABASE_URL": POSTGRES,
        "OWLISTIC_BROKER_URL": KAFKA,
        "OWLISTIC_JWT_SECRET": "s" * 40,
    }
    done = subprocess.run(
        [sys.executable, "-m", "owlistic", "serve", "--port", "0", "--workers", "2"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == STARTUP_FAILURE, done.stdout + done.stderr
    assert "failed to start; stopping" in done.stdout + done.stderr
