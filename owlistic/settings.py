"""All configuration in one typed object, read from ``OWLISTIC_*`` environment variables.

The defaults give the embedded mode: SQLite in ``data_dir``, the in-process broker.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The original server's well-known default; never accepted.
KNOWN_WEAK_SECRETS = frozenset({"your-super-secret-key-change-this-in-production", "secret", ""})
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The settings cannot start a safe server."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OWLISTIC_", env_file=".env", extra="ignore", populate_by_name=True
    )

    env: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, validation_alias=AliasChoices("OWLISTIC_PORT", "APP_PORT"))
    # Server processes sharing the listening socket; more than one needs PostgreSQL + Kafka.
    workers: int = Field(1, ge=1)
    data_dir: Path = Path("data")
    database_url: str | None = None
    database_pool_size: int = 10
    database_echo: bool = False

    broker_url: str = "memory://"
    kafka_topic_prefix: str = "owlistic."
    kafka_client_id: str = "owlistic"
    kafka_partitions: int = 3

    jwt_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OWLISTIC_JWT_SECRET", "JWT_SECRET")
    )
    access_token_hours: int = Field(
        24, validation_alias=AliasChoices("OWLISTIC_ACCESS_TOKEN_HOURS", "JWT_EXPIRATION_HOURS")
    )
    refresh_token_days: int = 30
    registration_open: bool = True

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"],
        validation_alias=AliasChoices("OWLISTIC_CORS_ORIGINS", "APP_ORIGINS"),
    )
    max_body_bytes: int = 1_048_576

    outbox_retention_hours: float = 72.0
    relay_poll_seconds: float = 2.0
    relay_batch_size: int = 500

    ws_heartbeat_seconds: float = 30.0
    ws_idle_timeout_seconds: float = 120.0
    ws_queue_size: int = 1024
    ws_max_message_bytes: int = 65_536
    ws_resume_limit: int = 10_000

    # Search: PostgreSQL text search configuration of the index (applied when the index is
    # created by migration 0006); "simple" favours no language, e.g. "english" stems.
    search_language: str = Field("simple", pattern=r"^[a-z_][a-z0-9_]*$")
    search_max_query_chars: int = 256
    search_max_terms: int = 16
    search_max_limit: int = 50
    search_default_limit: int = 20
    search_max_offset: int = 1000
    search_indexed_chars: int = 20_000  # per block; the rest of a huge block is not indexed
    # A query is answered from the rows of its rarest word when that word is in at most this
    # many rows (its cost then follows that word, not the database); otherwise from this
    # many of the most recent rows matching any of its words, plus as many of the most
    # recent title and tag matches (so its cost is bounded whatever the words).
    search_narrow_rows: int = Field(500, ge=0)
    search_candidate_rows: int = Field(200, ge=1)
    tags_per_note: int = 32
    tag_max_chars: int = 100
    # At most this many WebSockets per user in one process; more are closed at once.
    ws_max_per_user: int = Field(50, ge=1)

    # Authentication attempts per client address and per account, in a window of
    # ``rate_limit_window_seconds``; counted in the database so every process shares them.
    rate_limit_window_seconds: int = Field(60, ge=1)
    rate_limit_login_per_address: int = Field(30, ge=1)
    rate_limit_login_per_account: int = Field(10, ge=1)
    rate_limit_register_per_address: int = Field(10, ge=1)
    rate_limit_refresh_per_address: int = Field(60, ge=1)
    rate_limit_refresh_per_account: int = Field(30, ge=1)
    rate_limit_password_per_address: int = Field(10, ge=1)
    rate_limit_password_per_account: int = Field(5, ge=1)

    password_min_length: int = Field(8, ge=8)
    # Argon2id cost of new password hashes (memory in KiB): the defaults are well above
    # OWASP's minimum (t=2, 19 MiB). A stored hash keeps the cost it was made with and is
    # re-hashed at the next login when these change.
    password_hash_time_cost: int = Field(3, ge=1, le=20)
    password_hash_memory_kib: int = Field(65_536, ge=1024, le=1_048_576)

    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated,
    # "*" for any); behind TLS they make HSTS and the client address right.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    hsts_max_age_seconds: int = 31_536_000

    # JSON responses at least this large are compressed (gzip or brotli).
    compress_min_bytes: int = 1024

    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"

    # /metrics: served to admins on the main port, and without auth on this one if set
    # (bind it to a private interface).
    metrics_port: int | None = None

    # Seconds a client is told to wait (Retry-After) while the database or broker is away.
    unavailable_retry_after_seconds: int = 5
    # Attachments: where blobs live (file:// or s3://KEY:SECRET@BUCKET/PREFIX?endpoint=...&region=...);
    # unset means a folder in data_dir.
    storage_url: str | None = None
    attachment_max_bytes: int = Field(25 * 1024 * 1024, ge=1)
    attachment_quota_bytes: int = Field(1024 * 1024 * 1024, ge=0)  # per user, all their uploads
    attachment_max_image_pixels: int = Field(40_000_000, ge=1)  # larger images are refused
    attachment_preview_pixels: int = Field(1024, ge=16)  # the preview's longest side
    # S3 multipart uploads: files above this go in parts of this size (S3's minimum is 5 MiB).
    s3_part_bytes: int = Field(8 * 1024 * 1024, ge=5 * 1024 * 1024)
    # The sweeper deletes blobs no attachment references, once unused for the grace period.
    blob_sweep_seconds: float = 600.0
    blob_grace_seconds: float = 3600.0
    # Co-editing (``/api/v1/notes/{id}/collab``).
    collab_max_message_bytes: int = Field(524_288, ge=1024)
    # An update that would make a note's document (encoded) bigger is refused (4413).
    collab_max_document_bytes: int = Field(16_777_216, ge=1024)
    # Group commit: updates arriving while a commit runs go into the next one; this adds a
    # wait before each commit to batch more (the store is at most this plus one commit behind).
    collab_commit_delay_seconds: float = Field(0.0, ge=0.0, le=0.2)
    collab_idle_seconds: float = Field(30.0, ge=0.0)
    collab_compact_updates: int = Field(500, ge=1)
    collab_max_setups: int = Field(64, ge=1)
    collab_queue_size: int = Field(1024, ge=1)
    collab_awareness_per_second: float = Field(20.0, gt=0.0)
    collab_awareness_burst: int = Field(60, ge=1)
    collab_max_awareness_clients: int = Field(4, ge=1)

    # Markdown import (``POST /import/notes``): notes and blocks per request, body size.
    import_max_notes: int = Field(100, ge=1)
    import_max_blocks: int = Field(20_000, ge=1)
    import_max_bytes: int = Field(8 * 1024 * 1024, ge=1024)

    web_dist: Path = Path(__file__).resolve().parent.parent / "web" / "dist"
    # Base of links the server hands out (calendar feed URL); default: the request's.
    public_url: str | None = None

    # Reminders: the scheduler sleeps until the next one is due, at most this long (it is
    # woken at once when this process queues a sooner one; the cap catches other instances').
    scheduler_poll_seconds: float = Field(5.0, gt=0)
    scheduler_batch_size: int = Field(500, ge=1)
    # A reminder fired later than this after its time is marked late (server was down).
    reminder_late_seconds: float = 60.0

    # Web Push: the VAPID private key (PEM, or the base64url raw key); generated into
    # data_dir on first start when unset. The subject is the contact push services see.
    vapid_private_key: SecretStr | None = None
    vapid_subject: str = "mailto:admin@localhost"
    push_timeout_seconds: float = 10.0
    push_max_subscriptions_per_user: int = Field(20, ge=1)
    push_max_endpoint_length: int = 2048
    # Plain-http push endpoints are for tests and local development only.
    push_allow_http: bool = False

    # E-mail reminders (off while smtp_host is unset; users opt in on their profile).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "owlistic@localhost"
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 10.0

    # Calendar feed: how many open tasks one feed lists at most (the soonest due first).
    calendar_feed_max_tasks: int = Field(20_000, ge=1)
    # The name calendar apps show for the subscription (X-WR-CALNAME).
    calendar_name: str = "Owlistic tasks"

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'owlistic.db').resolve()}"

    @property
    def effective_storage_url(self) -> str:
        if self.storage_url:
            return self.storage_url
        return (self.data_dir / "attachments").resolve().as_uri()

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def is_memory_broker(self) -> bool:
        return self.broker_url.split("://", 1)[0].lower() == "memory"

    def check_workers(self) -> None:
        """Several worker processes are only correct when they share the database and broker.

        The in-process broker delivers an event only to the WebSockets of the process that
        relayed it, and SQLite has one writer at a time: both are single-process.
        """
        if self.workers <= 1:
            return
        reasons = []
        if self.is_memory_broker:
            reasons.append(
                "the in-process broker (memory://) would deliver a worker's events only to "
                "the WebSockets of that worker; set OWLISTIC_BROKER_URL=kafka://..."
            )
        if self.is_sqlite:
            reasons.append(
                "SQLite allows one writer at a time; set OWLISTIC_DATABASE_URL to PostgreSQL"
            )
        if reasons:
            raise ConfigurationError(
                f"{self.workers} workers (--workers / OWLISTIC_WORKERS) need PostgreSQL and "
                "Kafka: " + "; ".join(reasons)
            )

    def to_environment(self) -> dict[str, str]:
        """``OWLISTIC_*`` variables from which ``Settings()`` rebuilds these settings.

        Worker processes build their settings from the environment; this carries command
        line overrides to them. Secrets are left out: a worker reads them from where this
        process did (the environment, ``.env`` in the same directory, or ``data_dir``).
        """
        env: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None or isinstance(value, SecretStr):
                continue
            if isinstance(value, list):
                text = ",".join(str(v) for v in value)
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:
                text = str(value)
            env[f"OWLISTIC_{name.upper()}"] = text
        return env

    def resolve_jwt_secret(self) -> str:
        """The signing secret; generated and kept in ``data_dir`` outside production."""
        if self.jwt_secret is not None:
            value = self.jwt_secret.get_secret_value()
            if value in KNOWN_WEAK_SECRETS or len(value) < MIN_SECRET_LENGTH:
                raise ConfigurationError(
                    f"OWLISTIC_JWT_SECRET is a default or shorter than {MIN_SECRET_LENGTH} "
                    "characters; set a long random value"
                )
            return value
        if self.env == "production":
            raise ConfigurationError("OWLISTIC_JWT_SECRET must be set in production")
        path = self.data_dir / "jwt_secret"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(value)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
