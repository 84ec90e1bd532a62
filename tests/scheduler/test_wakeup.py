"""Jobs due now start at once: a commit in another process wakes the workers (PostgreSQL
LISTEN/NOTIFY), in this process the engine is woken directly; polling is only the safety net."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.core.jobs import enqueue
from models import DueJob
from models.db import Database
from scheduler.engine import JobEngine
from scheduler.ticker import Ticker
from tests.fakes import FakeClock
from tests.scheduler.test_engine import add_jobs

NEVER_POLLS = 3600.0


async def test_a_job_committed_by_another_process_runs_without_waiting_for_a_poll(
    database: Database,
) -> None:
    if not database.is_postgres:
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite is one process, woken directly")
    ran = asyncio.Event()

    async def count(job: DueJob) -> dict[str, Any]:
        ran.set()
        return {}

    worker_database = Database(database.url)  # the worker's own connections, as in its process
    ticker = Ticker(JobEngine(worker_database, {"count": count}), poll_seconds=NEVER_POLLS)
    ticker.start()
    try:
        assert ticker.wakeup is not None
        await asyncio.wait_for(ticker.wakeup.listening.wait(), timeout=10)
        await asyncio.sleep(0.1)  # the start-up run has found nothing
        assert not ran.is_set()
        await add_jobs(database, FakeClock(datetime.now(UTC)), 1)  # the web process commits
        await asyncio.wait_for(ran.wait(), timeout=5)
    finally:
        await ticker.stop(grace_seconds=1)
        await worker_database.dispose()


async def test_a_wake_up_during_a_run_is_not_lost(database: Database) -> None:
    """Work committed while the engine is busy runs right after, not at the next poll."""
    clock = FakeClock(datetime.now(UTC))
    second_ran = asyncio.Event()
    engine: JobEngine

    async def count(job: DueJob) -> dict[str, Any]:
        if job.payload["n"] == 0:  # while the first runs, a second is committed and woken for
            async with database.session() as session, session.begin():
                await enqueue(session, kind="count", key="late", run_at=clock(), payload={"n": 1})
            engine.wake()
        else:
            second_ran.set()
        return {}

    engine = JobEngine(database, {"count": count}, clock=clock)
    ticker = Ticker(engine, poll_seconds=NEVER_POLLS)
    await add_jobs(database, clock, 1)
    ticker.start()
    try:
        await asyncio.wait_for(second_ran.wait(), timeout=10)
    finally:
        await ticker.stop(grace_seconds=1)
