"""`peer-support serve`, `web`, `worker` and `start`: the processes (see the Procfile)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import typer

from bot.cli.common import fail, run_async, settings_for_a_process
from bot.listening import bind
from config.errors import ConfigError

if TYPE_CHECKING:
    from aiohttp import web

    from bot.runtime import Runtime

log = logging.getLogger("peer_support")

serve_app = typer.Typer()


def _start_up_log(runtime: Runtime, role: str) -> None:
    database = runtime.database.engine.url.render_as_string(hide_password=True)
    log.info("%s starting; database %s", role, database)
    for platform, status in runtime.platform_status.items():
        log.info("%s: %s", platform, status)


def _web_app(runtime: Runtime, *, migrate: bool, run_jobs: bool) -> web.Application:

    from bot.platforms import install_platforms
    from bot.runtime import prepare_database
    from bot.web import create_web_app
    from scheduler.ticker import Ticker

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
        # aiohttp has stopped accepting and drained the requests in flight (shutdown_timeout).
        for ticker in ticker_holder:
            await ticker.stop(runtime.settings.worker_grace_seconds)
        for platform in platforms:
            await platform.close()
        await runtime.database.dispose()

    application.on_startup.append(on_startup)
    application.on_cleanup.append(on_cleanup)
    return application


def _serve(*, migrate: bool, role: str) -> None:
    from aiohttp import web

    from bot.platforms import platform_status
    from bot.runtime import build_runtime

    try:
        settings = settings_for_a_process()
        listening = bind("PORT", settings.host, settings.port)
        runtime = build_runtime(settings)
        runtime.platform_status = platform_status(settings)
        _start_up_log(runtime, role)
        application = _web_app(runtime, migrate=migrate, run_jobs=True)
        web.run_app(  # SIGTERM/SIGINT: stop accepting, drain, then on_cleanup (run_app's own)
            application,
            sock=listening,
            print=None,
            access_log=None,
            shutdown_timeout=settings.worker_grace_seconds,
        )
    except ConfigError as exc:
        fail(exc)


@serve_app.command()
def serve() -> None:
    """Run everything in one process: web server, chat adapters and scheduler (the default).

    Migrates the database first, so a fresh checkout with nothing configured starts on SQLite.
    """
    _serve(migrate=True, role="serve")


@serve_app.command("web")
def web_command() -> None:
    """Run a web process (Procfile `web`): HTTP endpoints, and due jobs it can take on.

    Expects the schema to be current (`peer-support db upgrade`, the Procfile's `release`).
    """
    _serve(migrate=False, role="web")


async def _serve_health(runtime: Runtime) -> web.AppRunner | None:
    """The worker's probes and metrics on `HEALTH_PORT`, if set (a worker has no other HTTP)."""
    from aiohttp import web

    from bot.web import create_web_app

    settings = runtime.settings
    if settings.health_port is None:
        return None
    listening = bind("HEALTH_PORT", settings.host, settings.health_port)
    runner = web.AppRunner(create_web_app(runtime), access_log=None)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    log.info(
        "health and metrics on http://%s:%s (/livez, /readyz, /healthz, /metrics)",
        settings.host,
        settings.health_port,
    )
    return runner


@serve_app.command()
def worker() -> None:
    """Run a worker process (Procfile `worker`): claims and runs due jobs.

    Any number of workers may run at once against PostgreSQL; each job runs once. With
    HEALTH_PORT set it serves /livez, /readyz, /healthz and /metrics there, and nothing else.
    """

    from bot.platforms import install_platforms, platform_status
    from bot.runtime import build_runtime, prepare_database
    from scheduler.ticker import run_until_signalled, stop_on_signals

    settings = settings_for_a_process()

    async def main() -> None:
        stop = stop_on_signals()  # a deploy may stop it while it is still starting
        runtime = build_runtime(settings)
        runtime.platform_status = platform_status(settings)
        _start_up_log(runtime, "worker")
        health = await _serve_health(runtime)  # /livez answers, /readyz says "starting"
        await prepare_database(runtime, migrate=False)
        platforms = install_platforms(runtime)
        await run_until_signalled(runtime.ticker(), settings.worker_grace_seconds, stop)
        runtime.ready = False
        if health is not None:
            await health.cleanup()
        for platform in platforms:
            await platform.close()
        await runtime.database.dispose()
        log.info("worker stopped")

    run_async(main)


@serve_app.command()
def start(
    page_port: int = typer.Option(
        3001, min=0, max=65535, help="The sandbox page's port, when it starts."
    ),
) -> None:
    """What `make run` starts: `serve` if Slack or Teams is set up, else the sandbox.

    With nothing configured (and not in production) it runs `sandbox`: the bot with a pretend
    Slack workspace on this machine.
    """
    from bot.cli.sandbox import run_sandbox
    from bot.sandbox.server import DEFAULT_DATABASE_URL, nothing_configured

    settings = settings_for_a_process()
    if not nothing_configured(settings):
        _serve(migrate=True, role="serve")
        return
    log.info("no chat platform configured: starting the sandbox (`peer-support sandbox`)")
    run_sandbox(settings, None, page_port, DEFAULT_DATABASE_URL, False)
