"""`peer-support db ...`: schema migrations."""

from __future__ import annotations

import logging

import typer

from bot.cli.common import fail, run_async, settings_for_a_process

log = logging.getLogger("peer_support")

db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply schema migrations (Procfile `release`). Safe to run again."""
    from alembic.util import CommandError

    from bot.runtime import build_runtime
    from models.migrate import upgrade

    settings = settings_for_a_process()

    async def main() -> None:
        runtime = build_runtime(settings)
        try:
            await upgrade(runtime.database, revision)
        except CommandError as exc:
            fail(f"REVISION: {exc}; use head or a revision id")
        finally:
            await runtime.database.dispose()
        log.info("database upgraded to %s", revision)

    run_async(main)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Revert schema migrations down to REVISION ('base' removes every table)."""
    from alembic.util import CommandError

    from bot.runtime import build_runtime
    from models.migrate import downgrade

    settings = settings_for_a_process()

    async def main() -> None:
        runtime = build_runtime(settings)
        try:
            await downgrade(runtime.database, revision)
        except CommandError as exc:
            fail(f"REVISION: {exc}; use base or a revision id")
        finally:
            await runtime.database.dispose()
        log.info("database downgraded to %s", revision)

    run_async(main)
