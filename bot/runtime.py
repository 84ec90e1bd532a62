"""Everything one process needs, built once from the settings: vault, database, adapters, jobs."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from bot.metrics import JOBS
from config.settings import ConfigError, Settings
from handlers.chat.actions import Actions
from handlers.chat.commands import Commands
from handlers.core.delivery import Delivery
from handlers.core.log_context import organisation_scope
from handlers.core.outbox import DELIVER
from handlers.core.people import OrganisationDefaults
from handlers.core.ports import Messengers
from handlers.core.unit import Core
from handlers.follow_up.check_ins import FollowUps
from handlers.privacy.erasure import Erasure
from handlers.privacy.forget_me import ForgetMe
from handlers.privacy.retention import Retention
from handlers.pulse.rounds import Pulses
from handlers.reach_in.awareness import Awareness
from handlers.reach_in.desk import ReachIn
from handlers.reach_in.shifts import ShiftNotices
from handlers.roster.desk import RosterDesk
from handlers.roster.status import PeerStatuses
from handlers.roster.watch import RosterWatch
from handlers.support.answering import Offers
from handlers.support.asking import Requests
from handlers.support.disclosure import Disclosures
from handlers.support.ending import Cases
from handlers.support.failed_jobs import report_failed_job
from handlers.support.jobs import SupportJobs
from handlers.support.relay import Relay
from models import DueJob
from models.crypto import Vault, configure_vault, vault_from_settings
from models.db import Database
from models.keyring import load_keyring
from models.migrate import alembic_config, upgrade
from scheduler.engine import JobEngine, JobHandler
from scheduler.ticker import Ticker

log = logging.getLogger(__name__)

HEAD_REVISION_QUERY = text("SELECT version_num FROM alembic_version")


@dataclass
class Runtime:
    settings: Settings
    vault: Vault
    database: Database
    messengers: Messengers = field(default_factory=Messengers)
    platform_status: dict[str, str] = field(default_factory=dict)
    ready: bool = False  # start-up finished (`prepare_database`): what `/readyz` answers
    core: Core = field(init=False)
    requests: Requests = field(init=False)
    offers: Offers = field(init=False)
    cases: Cases = field(init=False)
    relay: Relay = field(init=False)
    statuses: PeerStatuses = field(init=False)
    follow_ups: FollowUps = field(init=False)
    pulses: Pulses = field(init=False)
    reach_in: ReachIn = field(init=False)
    awareness: Awareness = field(init=False)
    shift_notices: ShiftNotices = field(init=False)
    retention: Retention = field(init=False)
    forget_me: ForgetMe = field(init=False)
    actions: Actions = field(init=False)
    roster_watch: RosterWatch = field(init=False)
    commands: Commands = field(init=False)
    disclosures: Disclosures = field(init=False)
    engine: JobEngine = field(init=False)

    def __post_init__(self) -> None:
        defaults = OrganisationDefaults(
            time_zone=self.settings.default_time_zone,
            locale=self.settings.default_locale,
            country=self.settings.default_country,
        )
        core = self.core = Core(self.database, defaults=defaults, after_commit=self.kick)
        self.requests = Requests(core)
        self.offers = Offers(core)
        self.cases = Cases(core)
        self.relay = Relay(core)
        self.statuses = PeerStatuses(core)
        self.follow_ups = FollowUps(core)
        self.pulses = Pulses(core, self.messengers)
        self.retention = Retention(core)
        self.forget_me = ForgetMe(core, Erasure(core, self.cases))
        self.reach_in = ReachIn(core, self.requests)
        self.awareness = Awareness(core)
        self.shift_notices = ShiftNotices(core)
        self.actions = Actions(
            core,
            self.offers,
            self.cases,
            self.statuses,
            self.follow_ups,
            self.pulses,
            self.forget_me,
            self.reach_in,
            self.awareness,
        )
        self.roster_watch = RosterWatch(core)
        self.commands = Commands(core, self.pulses, self.forget_me, RosterDesk(core))
        self.disclosures = Disclosures(core, self.requests, self.relay)
        handlers = {
            DELIVER: Delivery(self.database, self.messengers),
            **SupportJobs(core).job_handlers(),
            **self.follow_ups.job_handlers(),
            **self.pulses.job_handlers(),
            **self.retention.job_handlers(),
            **self.reach_in.job_handlers(),
            **self.awareness.job_handlers(),
            **self.shift_notices.job_handlers(),
            **self.actions.returns.job_handlers(),
        }
        self.engine = JobEngine(
            self.database,
            {kind: naming_the_organisation(handler) for kind, handler in handlers.items()},
            observe=lambda kind, outcome: JOBS.labels(kind, outcome).inc(),
            on_failed=self._job_failed,
            claim_timeout=timedelta(seconds=self.settings.job_claim_timeout_seconds),
            concurrency=self.settings.worker_concurrency,
        )
        self._kickers: list[Callable[[], None]] = []

    async def _job_failed(self, job: DueJob) -> None:
        await report_failed_job(self.database, job, self.engine.clock())
        self.kick()

    def ticker(self) -> Ticker:
        """The APScheduler tick for this process: due jobs, and the periodic tasks that enqueue
        pulse rounds, the daily purge, training reminders, coverage-gap warnings, the
        awareness reminders and the peers' on-call notices."""
        ticker = Ticker(
            self.engine,
            self.settings.worker_poll_seconds,
            periodic={
                "pulse-rounds": (self.pulses.open_due_rounds, 300),
                "retention-purge": (self.retention.schedule_daily_purge, 3600),
                "training-reminders": (self.roster_watch.check_training, 3600),
                "coverage-gaps": (self.roster_watch.warn_coverage_gaps, 900),
                "awareness-reminders": (self.awareness.send_due_reminders, 300),
                "shift-notices": (self.shift_notices.schedule_due, 300),
            },
        )
        self.on_kick(ticker.kick)
        return ticker

    def on_kick(self, kicker: Callable[[], None]) -> None:
        """Register a way to run due jobs at once (the ticker of this process)."""
        self._kickers.append(kicker)

    def kick(self) -> None:
        """New work was committed: run it now rather than at the next tick."""
        for kicker in self._kickers:
            kicker()


def naming_the_organisation(handler: JobHandler) -> JobHandler:
    """`handler`, with the log lines it writes naming the job's organisation."""

    async def run(job: DueJob) -> dict[str, Any] | None:
        with organisation_scope(job.organisation_id):
            return await handler(job)

    return run


# How long a database that does not answer may hold anything up: someone asking for help is
# answered from memory when it is down, and that answer must not wait a minute first.
DATABASE_WAIT_SECONDS = 5


def build_runtime(settings: Settings) -> Runtime:
    vault = configure_vault(vault_from_settings(settings))
    options: dict[str, object] = {"pool_pre_ping": True, "pool_timeout": DATABASE_WAIT_SECONDS}
    if settings.database_url.startswith("postgresql"):
        options["connect_args"] = {"timeout": DATABASE_WAIT_SECONDS}
    database = Database(settings.database_url, **options)
    return Runtime(settings=settings, vault=vault, database=database)


async def prepare_database(runtime: Runtime, *, migrate: bool) -> None:
    """Migrate (embedded default) or insist the schema is current, then load the keyring."""
    if migrate:
        await upgrade(runtime.database)
    else:
        await ensure_schema_current(runtime.database)
    await load_keyring(runtime.database, runtime.vault)
    # Every organisation's crisis lines in memory, for answers during a database outage.
    await runtime.core.known.load()
    runtime.ready = True


def _reason(exc: BaseException) -> str:
    """What the database driver said, on one line (its own words, not SQLAlchemy's wrapper)."""
    cause = getattr(exc, "orig", None) or exc
    said = " ".join(str(cause).split())[:200]
    return f"{type(cause).__name__}: {said}" if said else type(cause).__name__


async def ensure_schema_current(database: Database) -> None:
    """Refuse to run on a database that is unreachable or not migrated to the code's head."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    url = database.engine.url
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not await asyncio.to_thread(os.path.exists, file):
        raise ConfigError(
            f"DATABASE_URL: there is no database at {file} yet; create it with "
            "`peer-support db upgrade`"
        )
    try:
        async with database.engine.connect() as connection:
            has_version = await connection.run_sync(
                lambda sync: inspect(sync).has_table("alembic_version")
            )
            current = (
                (await connection.execute(HEAD_REVISION_QUERY)).scalar() if has_version else None
            )
    except (OSError, SQLAlchemyError) as exc:
        raise ConfigError(
            f"DATABASE_URL: cannot connect to the database ({_reason(exc)}); "
            "check the host, port, user and database name"
        ) from None
    if current != head:
        raise ConfigError(
            "DATABASE_URL: the database schema is not up to date; run `peer-support db upgrade`"
        )
