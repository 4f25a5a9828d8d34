"""Secrets policy and the CLI's refusal to start unsafely."""

import sqlite3
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from owlistic import cli
from owlistic.settings import ConfigurationError, Settings, get_settings


def test_embedded_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = settings.resolve_jwt_secret()
    assert len(first) >= 32
    assert Settings(data_dir=tmp_path).resolve_jwt_secret() == first
    mode = stat.S_IMODE((tmp_path / "jwt_secret").stat().st_mode)
    assert mode == 0o600


def test_production_needs_a_strong_configured_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="must be set in production"):
        Settings(env="production", data_dir=tmp_path).resolve_jwt_secret()
    weak = SecretStr("your-super-secret-key-change-this-in-production")
    with pytest.raises(ConfigurationError, match="default or shorter"):
        Settings(env="production", data_dir=tmp_path, jwt_secret=weak).resolve_jwt_secret()
    strong = SecretStr("s" * 40)
    assert Settings(env="production", jwt_secret=strong).resolve_jwt_secret() == "s" * 40


def test_serve_refuses_production_without_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OWLISTIC_ENV", "production")
    monkeypatch.setenv("OWLISTIC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OWLISTIC_JWT_SECRET", raising=False)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    assert "OWLISTIC_JWT_SECRET must be set" in capsys.readouterr().err


def test_migrate_builds_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OWLISTIC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OWLISTIC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert cli.main(["migrate"]) == 0
    finally:
        get_settings.cache_clear()
    assert "up to date" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "owlistic.db") as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert {"users", "notebooks", "notes", "blocks", "tasks", "roles", "events"} <= tables


def test_head_revision_constant_is_alembics_head() -> None:
    # Start-up skips importing Alembic when the schema is at HEAD_REVISION.
    from alembic.script import ScriptDirectory

    from owlistic.migrations.runner import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION
