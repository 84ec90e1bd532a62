"""What every command shares: one line and exit 2 for anything wrong, and a runtime to work in.

The runtime (database, adapters, use cases) is imported only by the commands that need it, so
`peer-support --help` and the commands that only print start quickly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

from config.errors import ConfigError

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from config.settings import Settings

T = TypeVar("T")

OrgOption = typer.Option(..., "--org", help="Organisation id (see `peer-support org list`).")


def fail(message: object) -> NoReturn:
    """One line on standard error, exit status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def settings_for_a_process() -> Settings:
    """The settings, with logging set up as they say (what every long-running command does)."""
    from bot.logs import configure_logging
    from config.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


def run_async(main: Callable[[], Awaitable[None]]) -> None:
    """Run `main`; a configuration problem is one line and exit 2."""
    import asyncio

    try:
        asyncio.run(main())
    except ConfigError as exc:
        fail(exc)


def with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run `work` against the configured database, whose schema must be current; any problem
    is one line and exit 2."""
    import asyncio

    from bot.logs import configure_logging
    from bot.runtime import build_runtime, ensure_schema_current
    from config.settings import load_settings
    from handlers.roster.access import UnknownPeer
    from models.keyring import load_keyring

    configure_logging("WARNING")  # operator output is the table; warnings still show

    async def main() -> T:
        runtime = build_runtime(load_settings())
        try:
            await ensure_schema_current(runtime.database)
            await load_keyring(runtime.database, runtime.vault)
            return await work(runtime)
        finally:
            await runtime.database.dispose()

    try:
        return asyncio.run(main())
    except (ConfigError, LookupError, ValueError, UnknownPeer, AttributeError) as exc:
        fail(exc)
