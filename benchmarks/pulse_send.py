"""Time to send a weekly pulse to thousands of people on Slack, against Slack's rate limits.

Usage: .venv/bin/python benchmarks/pulse_send.py [--people 5000] [--speed 20] [--sqlite]
       [--weekly-only]

The production pieces run as in a worker: the pulse round opens, its fan-out queues one delivery
job per person (timed by Slack's per-minute windows: a burst of the minute's allowance, then the
next minute's; fewer where conversations.open, tier 3, must come first), the job engine sends
them through the Slack messenger, and the fake Slack Web API of the sandbox answers, enforcing
Slack's published limits with HTTP 429 and `Retry-After`. A 5,000-person round takes tens of
minutes in real time, so the run is sped up: the bot's clock runs `--speed` times faster than
the wall clock and every rate limit is multiplied by the same factor. Figures are reported back
in real-time equivalents, next to the minimum the limits allow, and as a ratio to that minimum
(the anchor: Slack's published limits).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from loopback import admin, serve  # benchmarks/loopback.py (run as a script)
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from bot.runtime import Runtime, prepare_database
from bot.sandbox.slack_api import FakeSlackApi
from bot.sandbox.slack_state import (
    POST_PER_WORKSPACE_PER_MINUTE,
    TIER_LIMITS_PER_MINUTE,
    RateLimiter,
    SlackUser,
)
from bot.slack import install
from bot.slack.messenger import DM_CHANNEL
from config.settings import Settings
from handlers.core.people import Person
from models import ChatIdentity, DueJob, JobStatus, Organisation, PulseRound, utcnow
from models.crypto import Vault, configure_vault
from models.db import Database

TOKEN = "xoxb-benchmark"
TEAM = "T0SANDBOX"


class FastLimits(RateLimiter):
    """Slack's limits on the fast clock: the same number of calls per window, each window
    `speed` times shorter in real time. Retry-After stays in real seconds: the bot sleeps on
    the wall clock."""

    def __init__(self, speed: float) -> None:
        super().__init__()
        self.speed = speed

    def retry_after(self, key: str, limit: float, window: float) -> float | None:
        return super().retry_after(key, limit, window / self.speed)


def minimum_minutes(calls: int, per_minute: int) -> int:
    """Calls in a sliding one-minute window: the first `per_minute` go at once."""
    return max(0, math.ceil(calls / per_minute) - 1)


class FastClock:
    """The bot's clock, running `speed` times faster than the wall clock from now on."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.start = utcnow()
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.started) * self.speed)

    def jump(self, ahead: timedelta) -> None:
        self.start += ahead


async def opt_in_everyone(runtime: Runtime, people: int) -> None:
    for start in range(0, people, 100):
        await asyncio.gather(
            *(
                runtime.pulses.set_opt_in(Person("slack", TEAM, f"U{n:05d}", locale="en"), True)
                for n in range(start, min(start + 100, people))
            )
        )


async def open_round_now(runtime: Runtime, clock: FastClock) -> None:
    """Move the organisation's pulse to a minute ago, then let the cron tick open it."""
    async with runtime.database.session() as session, session.begin():
        organisation = await session.scalar(select(Organisation))
        assert organisation is not None
        local = (clock() - timedelta(minutes=1)).astimezone(ZoneInfo(organisation.time_zone))
        organisation.pulse_weekday = local.weekday()
        organisation.pulse_local_time = local.time().replace(microsecond=0)
    assert await runtime.pulses.open_due_rounds() == 1


async def pending_deliveries(runtime: Runtime) -> int:
    async with runtime.database.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(DueJob)
            .where(DueJob.status != JobStatus.DONE.value, DueJob.kind == "deliver")
        )


async def planned_minutes(runtime: Runtime) -> float | None:
    """When the fan-out put the round's last pulse, in minutes after its first (None before
    the fan-out has run)."""
    async with runtime.database.session() as session:
        latest = await session.scalar(select(func.max(PulseRound.id)))
        first, last = (
            await session.execute(
                select(func.min(DueJob.run_at), func.max(DueJob.run_at)).where(
                    DueJob.kind == "deliver",
                    DueJob.idempotency_key.like(f"deliver:pulse:{latest}:%"),
                )
            )
        ).one()
    if first is None:
        return None
    return (last - first).total_seconds() / 60


async def known_channels(runtime: Runtime, api: FakeSlackApi) -> None:
    """As if the bot had written to everyone before: each address keeps its DM channel."""
    async with runtime.database.session() as session, session.begin():
        for identity in await session.scalars(select(ChatIdentity)):
            channel = api.dm_of(identity.user_id)
            identity.address = {**(identity.address or {}), DM_CHANNEL: channel}


async def send_round(runtime: Runtime, api: FakeSlackApi, clock: FastClock, people: int) -> None:
    """Open a round now, run the jobs until every pulse is out, and print the figures."""
    before = Counter(api.counts)
    throttled = api.throttled
    await open_round_now(runtime, clock)
    started = time.monotonic()
    planned: float | None = None
    while api.counts["chat.postMessage"] - before["chat.postMessage"] < people or (
        await pending_deliveries(runtime)
    ):
        await runtime.engine.run_due()
        if planned is None:
            planned = await planned_minutes(runtime)
        await asyncio.sleep(0.05)
    elapsed = (time.monotonic() - started) * clock.speed
    async with runtime.database.session() as session, session.begin():
        failed = await session.scalar(
            select(func.count()).select_from(DueJob).where(DueJob.status == "failed")
        )
        await session.execute(update(DueJob).values(status="done"))  # the rounds' close jobs

    posts = api.counts["chat.postMessage"] - before["chat.postMessage"]
    opens = api.counts["conversations.open"] - before["conversations.open"]
    floor_posts = minimum_minutes(posts, POST_PER_WORKSPACE_PER_MINUTE)
    floor_opens = minimum_minutes(opens, TIER_LIMITS_PER_MINUTE["conversations.open"])
    limit = POST_PER_WORKSPACE_PER_MINUTE
    print(f"  sent:                      {posts} pulses, {failed} failed jobs")
    floor = max(floor_posts, floor_opens)
    print(f"  time to send the round:    {elapsed / 60:6.1f} min")
    print(f"  minimum Slack allows:      {floor:6.1f} min")
    print(f"  ratio to the minimum:      {elapsed / 60 / floor:6.2f}x")
    print(f"  the schedule's last burst: {planned or 0:6.1f} min ({(planned or 0) / floor:.2f}x)")
    print(f"    chat.postMessage at {limit}/min: {floor_posts:6.1f} min")
    print(f"    conversations.open calls: {opens} ({floor_opens:.1f} min at tier 3)")
    print(f"  answered 429 (Retry-After): {api.throttled - throttled}")


async def run(people: int, speed: float, database_url: str, weekly_only: bool) -> None:
    key = Fernet.generate_key().decode()
    vault = configure_vault(Vault([key]))
    api = FakeSlackApi(token=TOKEN, team_id=TEAM, rate_limits=FastLimits(speed))
    for number in range(people):
        api.add_user(SlackUser(id=f"U{number:05d}", name=f"Person {number}"))
    api_runner, api_base = await serve(api.app)
    api_url = f"{api_base}/api/"
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ENVIRONMENT="test",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="benchmark",
        SLACK_API_URL=api_url,
        ENCRYPTION_KEYS=key,
        LOG_LEVEL="WARNING",
    )
    runtime = Runtime(settings=settings, vault=vault, database=Database(database_url))
    await prepare_database(runtime, migrate=True)
    install(runtime)
    await opt_in_everyone(runtime, people)
    clock = FastClock(speed)
    runtime.core.clock = clock
    runtime.engine.clock = clock
    # Claims expire by the engine's clock, which runs `speed` times fast; they are renewed on
    # the real one, so the heartbeat must beat as much faster, or a job waiting out a
    # Retry-After would be taken up again and sent twice.
    runtime.engine.heartbeat_seconds /= speed

    print(f"{people} people, clock and limits sped up x{speed:g}, real-time equivalents.")
    if weekly_only:
        await known_channels(runtime, api)
    else:
        print("The first round (no direct message channel known yet):")
        await send_round(runtime, api, clock, people)
        clock.jump(timedelta(days=7))
    install(runtime)  # a restart: the messenger remembers nothing in memory
    print("The next week's round, after a restart:")
    await send_round(runtime, api, clock, people)
    await runtime.database.dispose()
    await api_runner.cleanup()


async def main_async(people: int, speed: float, postgres: str | None, weekly: bool) -> None:
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            await run(people, speed, f"sqlite+aiosqlite:///{Path(folder) / 'pulse.db'}", weekly)
        return
    name = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
    await admin(postgres, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
        await run(people, speed, url, weekly)
    finally:
        await admin(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="use a SQLite file instead")
    parser.add_argument(
        "--weekly-only",
        action="store_true",
        help="skip the first round: everyone's DM channel is known (a slower --speed fits)",
    )
    arguments = parser.parse_args()
    postgres = None if arguments.sqlite else arguments.postgres
    asyncio.run(main_async(arguments.people, arguments.speed, postgres, arguments.weekly_only))


if __name__ == "__main__":
    main()
