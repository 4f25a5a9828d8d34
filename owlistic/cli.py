"""``owlistic``: serve, migrate, manage users, dump the OpenAPI schema."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from owlistic.settings import ConfigurationError, Settings, get_settings

# What each worker process imports and calls (``uvicorn --factory``) when ``workers > 1``.
WORKER_APP = "owlistic.app:create_app"


async def _migrate(settings: Settings) -> None:
    from owlistic.kit.db import Database
    from owlistic.migrations.runner import upgrade

    db = Database(settings)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


async def _create_user(settings: Settings, email: str, password: str, admin: bool) -> str:
    from owlistic.kit.db import Database
    from owlistic.migrations.runner import upgrade
    from owlistic.realtime import catalog
    from owlistic.user.service import user as users

    catalog.install()
    db = Database(settings)
    try:
        await upgrade(db.engine)
        async with db.session() as session:
            user = await users.register(session, email=email, password=password)
            if admin:
                await users.grant_admin(session, user)
            return str(user.id)
    finally:
        await db.dispose()


def _serve(settings: Settings) -> None:
    import uvicorn

    from owlistic.realtime.server_options import uvicorn_ws_options

    settings.check_workers()
    # Refuse to start on a weak/missing secret, before binding. Outside production a missing
    # secret is generated into data_dir here, once, so every worker reads the same one.
    settings.resolve_jwt_secret()
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "proxy_headers": True,
        **uvicorn_ws_options(settings),
    }
    if settings.workers == 1:
        from owlistic.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Workers are fresh interpreters that build the app with ``create_app()``, which reads
    # the settings from the environment: hand them exactly the settings checked above.
    os.environ.update(settings.to_environment())
    get_settings.cache_clear()
    uvicorn.run(WORKER_APP, factory=True, workers=settings.workers, **options)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="owlistic", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers",
        type=_positive,
        help="server processes (default OWLISTIC_WORKERS or 1; >1 needs PostgreSQL and Kafka)",
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    create = sub.add_parser("create-user", help="create an account (optionally an admin)")
    create.add_argument("email")
    create.add_argument("password")
    create.add_argument("--admin", action="store_true")
    dump = sub.add_parser("openapi", help="write the OpenAPI schema as JSON")
    dump.add_argument("output", nargs="?", type=Path)
    args = parser.parse_args(argv)

    settings = get_settings()
    try:
        if args.command == "serve":
            overrides = {"host": args.host, "port": args.port, "workers": args.workers}
            _serve(
                settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
            )
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database is up to date")
        elif args.command == "create-user":
            print(asyncio.run(_create_user(settings, args.email, args.password, args.admin)))
        elif args.command == "openapi":
            from owlistic.app import create_app

            text = json.dumps(create_app(settings).openapi(), indent=2)
            if args.output:
                args.output.write_text(text + "\n")
            else:
                print(text)
    except ConfigurationError as exc:
        print(f"owlistic: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
