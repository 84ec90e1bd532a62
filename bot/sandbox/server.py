"""The sandbox: the bot, run as `serve` runs it but pointed at a fake Slack, and a page that
plays the Slack workspace, both on loopback.

The bot gets a generated bot token and signing secret and `SLACK_API_URL` pointing at the fake
Web API; the page's actions reach the bot only as signed requests to its `/slack/events`, so
everything in `handlers/` and `bot/slack/` runs unchanged. Time-driven work runs on the bot's
own ticker, with the sandbox clock, which the page can move forward.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.exc import ArgumentError

from bot.listening import listen_error
from bot.platforms import ChatPlatform, install_platforms, platform_status
from bot.runtime import Runtime, build_runtime, prepare_database
from bot.sandbox import demo
from bot.sandbox.clock import SandboxClock
from bot.sandbox.page import page_app
from bot.sandbox.slack_api import FakeSlackApi
from bot.sandbox.slack_client import SignedSlack
from bot.sandbox.slack_state import RateLimiter
from bot.web import create_web_app
from config.settings import ConfigError, Settings, normalise_database_url
from models import DueJob, JobStatus
from scheduler.ticker import Ticker

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///peer_support_sandbox.db"
DEFAULT_PAGE_PORT = 3001
SLACK_CREDENTIALS = (
    ("slack_bot_token", "SLACK_BOT_TOKEN"),
    ("slack_signing_secret", "SLACK_SIGNING_SECRET"),
    ("slack_app_token", "SLACK_APP_TOKEN"),
    ("slack_client_id", "SLACK_CLIENT_ID"),
    ("slack_client_secret", "SLACK_CLIENT_SECRET"),
)


def refuse_real_setup(settings: Settings) -> None:
    """The sandbox never runs next to real Slack credentials, nor in production."""
    for field, variable in SLACK_CREDENTIALS:
        if getattr(settings, field):
            raise ConfigError(
                f"{variable}: real Slack credentials are configured, so the sandbox will not "
                "start; unset them to try the sandbox, or run `peer-support serve`"
            )
    if settings.environment == "production":
        raise ConfigError("ENVIRONMENT: the sandbox runs in development or test, not production")


def nothing_configured(settings: Settings) -> bool:
    """No chat platform set up and not production: what `peer-support start` runs a sandbox for."""
    return settings.environment != "production" and not (
        any(getattr(settings, field) for field, _ in SLACK_CREDENTIALS)
        or settings.microsoft_app_id
        or settings.teams_enabled
    )


def _listen(port: int, option: str) -> socket.socket:
    """A loopback listening socket (port 0: any free one), bound before anything starts, so the
    bot and the fake API can be told each other's address up front; a port that cannot be had
    is one line naming `option`, the setting that chose it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        raise listen_error(exc, option, LOOPBACK, port) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


@dataclass
class Ports:
    bot: int = 3000
    page: int = DEFAULT_PAGE_PORT


class Sandbox:
    def __init__(
        self,
        base: Settings,
        *,
        database_url: str = DEFAULT_DATABASE_URL,
        ports: Ports | None = None,
        rate_limits: bool = False,
    ) -> None:
        refuse_real_setup(base)
        self.base = base
        try:
            self.database_url = normalise_database_url(database_url)
        except (ArgumentError, ValueError) as exc:
            raise ConfigError(f"--database-url: {exc}") from None
        if self.database_url == base.database_url:
            raise ConfigError(
                "--database-url: it is DATABASE_URL, the bot's own database; the sandbox empties "
                "its database on reset, so give it one of its own"
            )
        self.ports = ports or Ports()
        self.clock = SandboxClock()
        self.api = FakeSlackApi(
            token=f"xoxb-sandbox-{secrets.token_hex(12)}",
            team_id=demo.TEAM,
            bot_user_id=demo.BOT_USER,
            rate_limits=RateLimiter() if rate_limits else None,
        )
        for user in demo.slack_users():
            self.api.add_user(user)
        self._runners: list[web.AppRunner] = []
        self._platforms: list[ChatPlatform] = []
        self._ticker: Ticker | None = None
        self.runtime: Runtime | None = None
        self.slack: SignedSlack | None = None

    @property
    def page_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.page}/"

    @property
    def bot_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.bot}/"

    def _settings(self, signing_secret: str) -> Settings:
        return self.base.model_copy(
            update={
                "database_url": self.database_url,
                "host": LOOPBACK,
                "port": self.ports.bot,
                "slack_bot_token": self.api.token,
                "slack_signing_secret": signing_secret,
                "slack_api_url": f"{self.page_url}slack/api/",
            }
        )

    async def start(self) -> None:

        bot_socket = _listen(self.ports.bot, "--port")
        page_socket = _listen(self.ports.page, "--page-port")
        self.ports = Ports(bot_socket.getsockname()[1], page_socket.getsockname()[1])
        signing_secret = secrets.token_hex(16)
        settings = self._settings(signing_secret)
        runtime = self.runtime = build_runtime(settings)
        runtime.platform_status = {
            **platform_status(settings),
            "slack": f"on (sandbox: a fake Slack workspace at {self.page_url})",
        }
        runtime.core.clock = self.clock
        runtime.engine.clock = self.clock
        self.slack = SignedSlack(
            events_url=f"{self.bot_url}slack/events",
            signing_secret=signing_secret,
            team_id=demo.TEAM,
            bot_user_id=demo.BOT_USER,
            respond_base=f"{self.page_url}slack/respond/",
        )
        bot_app = create_web_app(runtime)
        self._platforms = install_platforms(runtime)
        for platform in self._platforms:
            platform.mount(bot_app)
        await prepare_database(runtime, migrate=True)
        if not await demo.is_seeded(runtime.database):
            await demo.seed(runtime.database, self.clock, runtime.pulses)
            log.info("sandbox: demo organisation created")
        for app, sock in ((bot_app, bot_socket), (page_app(self), page_socket)):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.SockSite(runner, sock).start()
            self._runners.append(runner)
        self._ticker = runtime.ticker()
        self._ticker.start()
        log.info("sandbox: bot on %s (POST /slack/events)", self.bot_url)
        log.info("sandbox: open %s to use it", self.page_url)

    async def stop(self) -> None:
        self.api.touch()  # answers the page's long poll now, so the server need not wait for it
        if self._ticker is not None:
            await self._ticker.stop(
                self.runtime.settings.worker_grace_seconds if self.runtime else 1
            )
        for runner in reversed(self._runners):
            await runner.cleanup()
        for platform in self._platforms:
            await platform.close()
        if self.runtime is not None:
            await self.runtime.database.dispose()

    # --- time -------------------------------------------------------------------------------

    def _runtime(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("the sandbox has not started")
        return self.runtime

    async def catch_up(self) -> int:
        """Do what the ticker would have done over the skipped time: the periodic tasks, then
        every job now due (deliveries included); returns how many jobs ran."""
        runtime = self._runtime()
        await runtime.pulses.open_due_rounds()
        await runtime.retention.schedule_daily_purge()
        await runtime.roster_watch.check_training()
        await runtime.roster_watch.warn_coverage_gaps()
        ran = await runtime.engine.run_due()
        self.api.touch()
        return ran

    async def advance(self, minutes: float) -> int:
        self.clock.advance(timedelta(minutes=minutes))
        return await self.catch_up()

    async def next_job(self) -> dict[str, Any] | None:
        """The next pending job in the future: its kind and when."""
        async with self._runtime().database.session() as session:
            row = (
                await session.execute(
                    select(DueJob.kind, DueJob.run_at)
                    .where(DueJob.status == JobStatus.PENDING.value)
                    .order_by(DueJob.run_at)
                    .limit(1)
                )
            ).first()
        if row is None:
            return None
        return {"kind": row.kind, "at": row.run_at.isoformat()}

    async def skip_to_next_job(self) -> int:
        async with self._runtime().database.session() as session:
            due = await session.scalar(
                select(func.min(DueJob.run_at)).where(DueJob.status == JobStatus.PENDING.value)
            )
        if due is not None:
            self.clock.advance_to(due)
        return await self.catch_up()

    async def next_pulse(self) -> int:
        """Move the clock to the next weekly pulse round's opening and open it."""
        runtime = self._runtime()
        opens_at = await demo.next_pulse_opening(runtime.database, self.clock())
        if opens_at is not None:
            self.clock.advance_to(opens_at)
        return await self.catch_up()

    async def reset(self) -> None:
        """Start again: no requests, messages or answers; the demo people and roster anew."""
        runtime = self._runtime()
        await demo.wipe(runtime.database)
        self.clock.reset()
        self.api.reset()
        await demo.seed(runtime.database, self.clock, runtime.pulses)
        self.api.touch()


async def run_until_stopped(sandbox: Sandbox) -> None:
    """Start, then run until SIGINT or SIGTERM (what `peer-support sandbox` does)."""
    await sandbox.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await sandbox.stop()
        log.info("sandbox stopped")
