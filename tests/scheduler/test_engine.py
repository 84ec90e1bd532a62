"""The due-jobs engine: each job once, retries with backoff, failures reported, nothing lost."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from asyncio.subprocess import Process
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.core.jobs import RetryLater, enqueue
from models import DueJob, JobStatus
from models.db import Database
from scheduler.engine import JobEngine
from tests.conftest import TEST_KEY
from tests.fakes import FakeClock


async def add_jobs(database: Database, clock: FakeClock, count: int, kind: str = "count") -> None:
    async with database.session() as session, session.begin():
        for number in range(count):
            await enqueue(
                session, kind=kind, key=f"{kind}:{number}", run_at=clock(), payload={"n": number}
            )


async def statuses(database: Database) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(select(DueJob.status, func.count()).group_by(DueJob.status))
        return {status: count for status, count in rows}


async def until_done(database: Database, count: int, within: float = 30) -> None:
    """Wait until `count` jobs are done (outcomes are written a few milliseconds after a job)."""
    async with asyncio.timeout(within):
        while (await statuses(database)).get("done", 0) < count:  # noqa: ASYNC110 - the database
            await asyncio.sleep(0.01)


async def test_enqueue_is_idempotent_on_its_key(database: Database) -> None:
    clock = FakeClock()
    await add_jobs(database, clock, 3)
    await add_jobs(database, clock, 3)
    assert await statuses(database) == {"pending": 3}


async def test_four_workers_run_every_job_exactly_once(database: Database) -> None:
    if not database.is_postgres:
        pytest.skip("SQLite serialises writers; concurrent claiming is a PostgreSQL matter")
    clock = FakeClock()
    await add_jobs(database, clock, 2000)
    runs: Counter[int] = Counter()

    async def count(job: DueJob) -> dict[str, Any]:
        runs[job.payload["n"]] += 1
        await asyncio.sleep(0)
        return {"ok": True}

    workers = [
        JobEngine(Database(database.url), {"count": count}, clock=clock, worker_id=f"w{i}")
        for i in range(4)
    ]
    done = await asyncio.gather(*(worker.run_due() for worker in workers))
    for worker in workers:
        await worker.database.dispose()
    assert sum(done) == 2000
    assert len(runs) == 2000 and set(runs.values()) == {1}
    assert all(ran > 0 for ran in done), f"a worker got no work: {done}"
    assert await statuses(database) == {"done": 2000}


async def test_a_job_claimed_by_a_dead_worker_is_taken_up_again(database: Database) -> None:
    clock = FakeClock()
    await add_jobs(database, clock, 1)
    ran: list[str] = []

    async def record(job: DueJob) -> None:
        ran.append(job.claimed_by or "")

    dead = JobEngine(database, {"count": record}, clock=clock, worker_id="dead")
    assert len(await dead.claim()) == 1  # claimed, then the worker died before running it
    alive = JobEngine(database, {"count": record}, clock=clock, worker_id="alive")
    assert await alive.run_due() == 0  # the claim is still fresh
    clock.advance(minutes=6)
    assert await alive.run_due() == 1
    assert ran == ["alive"]
    assert await statuses(database) == {"done": 1}


async def test_a_job_whose_claim_aged_in_a_slow_batch_runs_once(database: Database) -> None:
    """Worker A, running one job at a time, claims three jobs that each take three minutes of
    a frozen clock (no heartbeat could renew them), so the third's claim goes stale (5 minutes)
    before its turn and worker B takes it. A must not run it again; the second, whose claim A
    renewed just before running it, stays A's."""
    clock = FakeClock()
    await add_jobs(database, clock, 3)
    ran: list[tuple[int, str]] = []
    other: JobEngine

    async def record(job: DueJob) -> None:
        ran.append((job.payload["n"], job.claimed_by or ""))
        if job.claimed_by == "A":
            clock.advance(minutes=3)
            if job.payload["n"] == 1:
                await until_done(database, 1)  # job 0's outcome is written
                await other.run_due()

    timeout = timedelta(minutes=5)
    first = JobEngine(
        database,
        {"count": record},
        clock=clock,
        worker_id="A",
        concurrency=1,
        claim_timeout=timeout,
    )
    other = JobEngine(
        database, {"count": record}, clock=clock, worker_id="B", claim_timeout=timeout
    )
    await first.run_due()
    assert sorted(ran) == [(0, "A"), (1, "A"), (2, "B")]
    assert await statuses(database) == {"done": 3}


async def start_doomed_worker(database: Database, grace_seconds: float = 3) -> Process:
    """A real worker process (tests/scheduler/killed_worker.py) holding 20 due jobs, of which
    job 5 hangs; returns once it says it is stuck on it (the other jobs done)."""
    due_now = FakeClock(datetime.now(UTC) - timedelta(minutes=1))
    await add_jobs(database, due_now, 20)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.scheduler.killed_worker",
        database.url,
        TEST_KEY,
        str(grace_seconds),
        cwd=Path(__file__).parents[2],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert worker.stdout is not None
    line = await asyncio.wait_for(worker.stdout.readline(), timeout=60)
    assert line.strip() == b"STUCK", line
    return worker


async def take_over(database: Database, within: float) -> tuple[list[int], float]:
    """Another worker on the real clock, polling as a worker does, until all 20 are done;
    returns what it ran and how long that took."""
    ran: list[int] = []

    async def record(job: DueJob) -> dict[str, Any]:
        ran.append(job.payload["n"])
        return {"by": "alive"}

    alive = JobEngine(
        database, {"count": record}, worker_id="alive", claim_timeout=timedelta(seconds=5)
    )
    started = time.monotonic()
    async with asyncio.timeout(within):
        while (await statuses(database)).get("done", 0) < 20:  # noqa: ASYNC110 - the database
            await alive.run_due()
            await asyncio.sleep(0.2)
    return ran, time.monotonic() - started


async def runs_by(database: Database) -> Counter[str]:
    async with database.session() as session:
        return Counter(
            (job.result or {}).get("by") for job in await session.scalars(select(DueJob))
        )


async def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(
    database: Database,
) -> None:
    """A real worker process claims 20 jobs, finishes all but two, and is killed (SIGKILL) while
    one hangs and one is slow. Its claims are no longer renewed, so another worker takes them up
    once the claim timeout (5 s here, 30 s by default) has passed, and runs nothing twice."""
    worker = await start_doomed_worker(database)
    worker.kill()
    await worker.wait()
    assert await statuses(database) == {"done": 18, "running": 2}
    ran, took = await take_over(database, within=90)
    assert sorted(ran) == [5, 6]
    assert await runs_by(database) == {"doomed": 18, "alive": 2}
    assert took < 30


async def test_a_worker_stopped_with_sigterm_hands_back_what_it_cannot_finish(
    database: Database,
) -> None:
    """SIGTERM (every deploy): the worker stops claiming, lets the slow job 6 finish within its
    grace period, hands back job 5 (pending again, the attempt not counted) and exits 0; another
    worker runs job 5 at once, without waiting for a claim to time out, and nothing twice."""
    worker = await start_doomed_worker(database, grace_seconds=3)
    worker.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(worker.communicate(), timeout=20)
    assert worker.returncode == 0, output.decode()
    assert await statuses(database) == {"done": 19, "pending": 1}
    async with database.session() as session:
        handed_back = await session.scalar(select(DueJob).where(DueJob.status == "pending"))
    assert handed_back is not None and handed_back.attempts == 0
    ran, took = await take_over(database, within=30)
    assert ran == [5]
    assert await runs_by(database) == {"doomed": 19, "alive": 1}
    assert took < 5  # no claim timeout waited for


async def test_failures_are_retried_with_backoff_then_reported(database: Database) -> None:
    clock = FakeClock()
    async with database.session() as session, session.begin():
        await enqueue(
            session, kind="flaky", key="flaky:1", run_at=clock(), payload={}, max_attempts=3
        )
    failed: list[int] = []

    async def flaky(job: DueJob) -> None:
        raise ConnectionError("platform unreachable")

    async def on_failed(job: DueJob) -> None:
        failed.append(job.id)

    engine = JobEngine(database, {"flaky": flaky}, clock=clock, on_failed=on_failed)
    assert await engine.run_due() == 1
    assert await engine.run_due() == 0  # waiting out the backoff
    clock.advance(seconds=5)
    assert await engine.run_due() == 1
    clock.advance(seconds=10)
    assert await engine.run_due() == 1
    async with database.session() as session:
        job = await session.scalar(select(DueJob))
    assert job is not None and job.status == JobStatus.FAILED.value
    assert job.attempts == 3 and job.last_error == "ConnectionError"
    assert failed == [job.id]


async def test_retry_later_does_not_use_up_attempts(database: Database) -> None:
    clock = FakeClock()
    async with database.session() as session, session.begin():
        await enqueue(session, kind="wait", key="wait:1", run_at=clock(), payload={})
    calls = 0

    async def wait(job: DueJob) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise RetryLater()
        return {"ok": True}

    engine = JobEngine(database, {"wait": wait}, clock=clock)
    for _ in range(4):
        await engine.run_due()
        clock.advance(seconds=5)
    async with database.session() as session:
        job = await session.scalar(select(DueJob))
    assert job is not None and job.status == JobStatus.DONE.value and job.attempts == 1
