"""What every command shares: one line and exit 2 for anything wrong, and a runtime to work in.

The runtime (database, adapters, use cases) is imported only by the commands that need it, so
`peer-support --help` and the commands that only print start quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from rich.console import Console

# typer 0.29 carries its own copy of click: its errors are not `click`'s.
from typer._click import Context
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

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


def wrong(option: str, accepted: str) -> NoReturn:
    """A wrong option value: one line naming the option and the accepted form."""
    fail(f"{option}: {accepted}")


class OneLineErrors(TyperGroup):
    """The command line's top group: a wrong, missing or unknown option or command is one line
    on standard error (what was wrong and what is accepted) and exit status 2, not a usage box."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            message = " ".join(exc.format_message().split())
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(2) from None


def table_console() -> Console:
    """Where tables go: the terminal's width, or wide enough not to cut a row when the output
    goes to a file or a pipe (rich would cut it at 80 columns)."""
    return Console() if sys.stdout.isatty() else Console(width=250)


def settings_for_a_process() -> Settings:
    """The settings, with logging set up as they say (what every long-running command does)."""
    from bot.logs import configure_logging
    from config.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
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
