"""`peer-support sandbox`: the bot with a pretend Slack workspace, on this machine."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli.common import run_async, settings_for_a_process

if TYPE_CHECKING:
    from config.settings import Settings

sandbox_app = typer.Typer()


@sandbox_app.command()
def sandbox(
    port: int | None = typer.Option(
        None, min=0, max=65535, help="The bot's port [default: PORT, or 3000]."
    ),
    page_port: int = typer.Option(
        3001, min=0, max=65535, help="The sandbox page's (and fake Slack's) port."
    ),
    database_url: str = typer.Option(
        "sqlite+aiosqlite:///peer_support_sandbox.db", help="The sandbox's own database."
    ),
    rate_limits: bool = typer.Option(False, help="Make the fake Slack enforce rate limits."),
) -> None:
    """Try it without Slack: the bot and a pretend Slack workspace at http://127.0.0.1:3001.

    Demo people and data, created on first start; loopback only; refused when real Slack
    credentials are configured or in production.
    """
    run_sandbox(settings_for_a_process(), port, page_port, database_url, rate_limits)


def run_sandbox(
    settings: Settings, port: int | None, page_port: int, database_url: str, rate_limits: bool
) -> None:
    from bot.sandbox.server import Ports, Sandbox, run_until_stopped

    async def main() -> None:
        ports = Ports(bot=port or settings.port, page=page_port)
        instance = Sandbox(
            settings, database_url=database_url, ports=ports, rate_limits=rate_limits
        )
        await run_until_stopped(instance)

    run_async(main)
