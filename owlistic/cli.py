"""``owlistic``: serve, migrate, reindex search, manage users, dump the OpenAPI schema."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from owlistic.settings import ConfigurationError, Settings, get_settings


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
            user = await users.register(session, email=email, password=password, settings=settings)
            if admin:
                await users.grant_admin(session, user)
            return str(user.id)
    finally:
        await db.dispose()


async def _reindex(settings: Settings) -> int:
    from owlistic.index.reindex import reindex
    from owlistic.kit.db import Database
    from owlistic.migrations.runner import upgrade

    db = Database(settings)
    try:
        await upgrade(db.engine)
        async with db.engine.begin() as conn:
            return await conn.run_sync(lambda c: reindex(c, settings.search_language))
    finally:
        await db.dispose()


def _serve(settings: Settings) -> int:
    import uvicorn

    from owlistic import workers
    from owlistic.kit.logging import log_config
    from owlistic.realtime.server_options import uvicorn_ws_options

    settings.check_workers()
    # Refuse to start on a weak/missing secret, before binding. Outside production a missing
    # secret is generated into data_dir here, once, so every worker reads the same one.
    settings.resolve_jwt_secret()
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level.lower(),
        "log_config": log_config(settings),
        # X-Forwarded-* are read by the app from ``trusted_proxies`` only (app.py).
        "proxy_headers": False,
        **uvicorn_ws_options(settings),
    }
    if settings.workers == 1:
        from owlistic.app import create_app

        uvicorn.run(create_app(settings), **options)
        return 0
    # What reads ``get_settings()`` in a worker must find exactly the settings checked above.
    os.environ.update(settings.to_environment())
    get_settings.cache_clear()
    from owlistic.metrics.shared import across_workers

    with across_workers(settings):  # before the app imports prometheus-client
        from owlistic.app import create_app

        workers.preload(settings)
        return workers.serve(uvicorn.Config(create_app(settings), **options), settings.workers)


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
    sub.add_parser(
        "reindex",
        help="build the search index again (after changing OWLISTIC_SEARCH_LANGUAGE, or data "
        "loaded around the server)",
    )
    create = sub.add_parser("create-user", help="create an account (optionally an admin)")
    create.add_argument("email")
    create.add_argument("password")
    create.add_argument("--admin", action="store_true")
    backup_cmd = sub.add_parser("backup", help="write the database, secret and attachments to FILE")
    backup_cmd.add_argument("file", type=Path)
    backup_cmd.add_argument(
        "--logical",
        action="store_true",
        help="PostgreSQL: export the tables as JSON lines even when pg_dump is installed",
    )
    restore_cmd = sub.add_parser("restore", help="restore a backup FILE into an empty database")
    restore_cmd.add_argument("file", type=Path)
    dump = sub.add_parser("openapi", help="write the OpenAPI schema as JSON")
    dump.add_argument("output", nargs="?", type=Path)
    args = parser.parse_args(argv)

    settings = get_settings()
    code = 0
    try:
        if args.command == "serve":
            overrides = {"host": args.host, "port": args.port, "workers": args.workers}
            code = _serve(
                settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
            )
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database is up to date")
        elif args.command == "reindex":
            rows = asyncio.run(_reindex(settings))
            print(f"search index rebuilt: {rows} rows ({settings.search_language})")
        elif args.command == "create-user":
            print(asyncio.run(_create_user(settings, args.email, args.password, args.admin)))
        elif args.command in ("backup", "restore"):
            from owlistic.ops.backup import backup, restore

            if args.command == "backup":
                manifest = asyncio.run(backup(settings, args.file, logical=args.logical))
                print(f"backed up ({manifest['method']}) to {args.file}")
            else:
                manifest = asyncio.run(restore(settings, args.file))
                print(f"restored {args.file} ({manifest['method']})")
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
    except Exception as exc:
        from owlistic.ops.backup import BackupError

        if not isinstance(exc, BackupError):
            raise
        print(f"owlistic: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
