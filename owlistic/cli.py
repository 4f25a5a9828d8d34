"""``owlistic``: serve, migrate, manage users, dump the OpenAPI schema."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

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
    from owlistic.user.service import user as users

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


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from owlistic.app import create_app
    from owlistic.realtime.server_options import uvicorn_ws_options

    settings.resolve_jwt_secret()  # refuse to start on a weak/missing secret, before binding
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        proxy_headers=True,
        **uvicorn_ws_options(settings),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="owlistic", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
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
            _serve(settings, args.host, args.port)
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
