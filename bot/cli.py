"""The `peer-support` command line."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import typer
from aiohttp import web
from cryptography.fernet import Fernet

from bot.admin_cli import org_app, roster_app
from bot.logs import configure_logging
from bot.platforms import install_platforms, platform_status
from bot.report_cli import report_app
from bot.runtime import Runtime, build_runtime, ensure_schema_current, prepare_database
from bot.web import create_web_app
from config.settings import ConfigError, Settings, load_settings
from models.migrate import downgrade, upgrade
from scheduler.ticker import Ticker

log = logging.getLogger("peer_support")

app = typer.Typer(
    help="Confidential peer support for health and care workers, on Slack and Microsoft Teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(roster_app, name="roster")
app.add_typer(report_app)


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


def _run(main: Callable[[], Awaitable[None]]) -> None:
    try:
        asyncio.run(main())
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _start_up_log(runtime: Runtime, role: str) -> None:
    database = runtime.database.engine.url.render_as_string(hide_password=True)
    log.info("%s starting; database %s", role, database)
    for platform, status in runtime.platform_status.items():
        log.info("%s: %s", platform, status)


def _web_app(runtime: Runtime, *, migrate: bool, run_jobs: bool) -> web.Application:
    application = create_web_app(runtime)
    platforms = install_platforms(runtime)
    for platform in platforms:
        platform.mount(application)
    ticker_holder: list[Ticker] = []

    async def on_startup(_app: web.Application) -> None:
        await prepare_database(runtime, migrate=migrate)
        settings = runtime.settings
        log.info("listening on http://%s:%s (health: /healthz)", settings.host, settings.port)
        if run_jobs:
            ticker = runtime.ticker()
            ticker.start()
            ticker_holder.append(ticker)

    async def on_cleanup(_app: web.Application) -> None:
        for ticker in ticker_holder:
            ticker.shutdown()
        for platform in platforms:
            await platform.close()
        await runtime.database.dispose()

    application.on_startup.append(on_startup)
    application.on_cleanup.append(on_cleanup)
    return application


def _serve(*, migrate: bool, role: str) -> None:
    try:
        settings = _settings()
        runtime = build_runtime(settings)
        runtime.platform_status = platform_status(settings)
        _start_up_log(runtime, role)
        application = _web_app(runtime, migrate=migrate, run_jobs=True)
        web.run_app(
            application, host=settings.host, port=settings.port, print=None, access_log=None
        )
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve() -> None:
    """Run everything in one process: web server, chat adapters and scheduler (the default).

    Migrates the database first, so a fresh checkout with nothing configured starts on SQLite.
    """
    _serve(migrate=True, role="serve")


@app.command("web")
def web_command() -> None:
    """Run a web process (Procfile `web`): HTTP endpoints, and due jobs it can take on.

    Expects the schema to be current (`peer-support db upgrade`, the Procfile's `release`).
    """
    _serve(migrate=False, role="web")


@app.command()
def worker() -> None:
    """Run a worker process (Procfile `worker`): claims and runs due jobs, no HTTP server.

    Any number of workers may run at once against PostgreSQL; each job runs once.
    """
    settings = _settings()

    async def main() -> None:
        runtime = build_runtime(settings)
        runtime.platform_status = platform_status(settings)
        _start_up_log(runtime, "worker")
        await prepare_database(runtime, migrate=False)
        platforms = install_platforms(runtime)
        ticker = runtime.ticker()
        ticker.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        ticker.shutdown()
        for platform in platforms:
            await platform.close()
        await runtime.database.dispose()
        log.info("worker stopped")

    _run(main)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply schema migrations (Procfile `release`). Safe to run again."""
    settings = _settings()

    async def main() -> None:
        runtime = build_runtime(settings)
        await upgrade(runtime.database, revision)
        await runtime.database.dispose()
        log.info("database upgraded to %s", revision)

    _run(main)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Revert schema migrations down to REVISION ('base' removes every table)."""
    settings = _settings()

    async def main() -> None:
        runtime = build_runtime(settings)
        await downgrade(runtime.database, revision)
        await runtime.database.dispose()
        log.info("database downgraded to %s", revision)

    _run(main)


@app.command("check-config")
def check_config() -> None:
    """Check the settings and the database; print what would run. Exit 2 with one line if wrong."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging("WARNING")

    async def main() -> None:
        runtime = build_runtime(settings)
        try:
            await ensure_schema_current(runtime.database)
        finally:
            await runtime.database.dispose()
        typer.echo(f"settings: ok ({settings.environment})")
        typer.echo("database: ok, schema current")
        for platform, status in platform_status(settings).items():
            typer.echo(f"{platform}: {status}")

    _run(main)


@app.command("generate-key")
def generate_key() -> None:
    """Print a new encryption key for ENCRYPTION_KEYS (put it first; keep old keys after it)."""
    typer.echo(Fernet.generate_key().decode())


@app.command("teams-package")
def teams_package(
    output: Path = typer.Option(
        Path("peer-support-teams.zip"), "--output", "-o", help="Where to write the zip."
    ),
    domain: str | None = typer.Option(
        None, "--domain", help="The bot's public host name, listed in validDomains."
    ),
) -> None:
    """Build the Teams app package (manifest with MICROSOFT_APP_ID, and icons) to upload."""
    from bot.teams.package import build_package

    try:
        settings = load_settings()
        written = build_package(output, settings.microsoft_app_id, domain)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {written}")


@app.command()
def sandbox(
    port: int | None = typer.Option(None, help="The bot's port [default: PORT, or 3000]."),
    page_port: int = typer.Option(3001, help="The sandbox page's (and fake Slack's) port."),
    database_url: str = typer.Option(
        "sqlite+aiosqlite:///peer_support_sandbox.db", help="The sandbox's own database."
    ),
    rate_limits: bool = typer.Option(False, help="Make the fake Slack enforce rate limits."),
) -> None:
    """Try it without Slack: the bot and a pretend Slack workspace at http://127.0.0.1:3001.

    Demo people and data, created on first start; loopback only; refused when real Slack
    credentials are configured or in production.
    """
    _sandbox(_settings(), port, page_port, database_url, rate_limits)


def _sandbox(
    settings: Settings, port: int | None, page_port: int, database_url: str, rate_limits: bool
) -> None:
    from bot.sandbox.server import Ports, Sandbox, run_until_stopped

    async def main() -> None:
        ports = Ports(bot=port or settings.port, page=page_port)
        instance = Sandbox(
            settings, database_url=database_url, ports=ports, rate_limits=rate_limits
        )
        await run_until_stopped(instance)

    _run(main)


@app.command()
def start(
    page_port: int = typer.Option(3001, help="The sandbox page's port, when it starts."),
) -> None:
    """What `make run` starts: `serve` if Slack or Teams is set up, else the sandbox.

    With nothing configured (and not in production) it runs `sandbox`: the bot with a pretend
    Slack workspace on this machine.
    """
    from bot.sandbox.server import DEFAULT_DATABASE_URL, nothing_configured

    settings = _settings()
    if not nothing_configured(settings):
        _serve(migrate=True, role="serve")
        return
    log.info("no chat platform configured: starting the sandbox (`peer-support sandbox`)")
    _sandbox(settings, None, page_port, DEFAULT_DATABASE_URL, False)


def main() -> None:
    try:
        app()
    except ConfigError as exc:  # raised while settings are read, before any command body ran
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
