"""The due-jobs engine: claim due rows in batches, run them concurrently, record the outcomes.

The table is the truth. A claim is one UPDATE over rows picked with `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so any number of workers share the table without running a job twice; SQLite
serialises writers, which gives the same guarantee for the single process it is meant for.

- A batch's jobs run concurrently, in lanes: jobs to the same recipient run in order (an update
  follows the message it updates), so one slow or rate-limited recipient holds up only its own
  lane. The platform clients' own pacing and Retry-After handling stay the limit on the calls.
- While a worker holds claims it renews them (a heartbeat), so the stale-claim timeout can be
  short: a killed worker's jobs are taken up again within `claim_timeout`, a slow one is not
  run twice.
- Outcomes are written together (scheduler.outcomes), a few milliseconds after each job ends.
- `stop` stops claiming, lets running jobs finish within a grace period, and hands back every
  claim it did not finish (pending again, the attempt not counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, union_all, update
from sqlalchemy.orm import configure_mappers

from handlers.core.jobs import RetryLater
from models import DueJob, JobStatus, utcnow
from models.db import Database
from scheduler.outcomes import Outcome, OutcomeWriter, statement_scope, write_in, write_one

log = logging.getLogger(__name__)

JobHandler = Callable[[DueJob], Awaitable[dict[str, Any] | None]]
Clock = Callable[[], datetime]

BATCH_SIZE = 100
CLAIM_TIMEOUT = timedelta(seconds=30)
CONCURRENCY = 20  # jobs of one worker running at once


def backoff(attempt: int) -> timedelta:
    """Wait before retry `attempt` (1-based): 5 s, 10 s, 20 s ... capped at 15 minutes."""
    return timedelta(seconds=min(5 * 2 ** (attempt - 1), 900))


def describe_error(exc: BaseException) -> str:
    """An error summary safe to store and log: the type and status, never payload text."""
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status else "")


_new_job = DueJob.__mapper__.class_manager.new_instance


def _job_of(row: Mapping[Any, Any]) -> DueJob:
    """A detached DueJob from a claimed row, filled as the ORM's own loading fills one (its
    values straight into the instance dict): DueJob(**row) fires an event per column, which
    was a fifth of the engine's time per job."""
    job = _new_job()
    job.__dict__.update(row)
    return job


def lane_of(job: DueJob) -> str:
    """Jobs in one lane run in order: a person's messages (and updates of them) keep theirs."""
    if job.recipient_key:
        return f"to:{job.recipient_key}"
    recipient = job.payload.get("to") if isinstance(job.payload, dict) else None  # older rows
    return f"id:{recipient}" if recipient is not None else f"job:{job.id}"


class JobEngine:
    def __init__(
        self,
        database: Database,
        handlers: dict[str, JobHandler],
        *,
        clock: Clock = utcnow,
        batch_size: int = BATCH_SIZE,
        claim_timeout: timedelta = CLAIM_TIMEOUT,
        concurrency: int = CONCURRENCY,
        on_failed: Callable[[DueJob], Awaitable[None]] | None = None,
        observe: Callable[[str, str], None] = lambda kind, outcome: None,
        worker_id: str | None = None,
        heartbeat_seconds: float | None = None,
    ) -> None:
        """`heartbeat_seconds`: how often, in real seconds, held claims are renewed (a third of
        the claim timeout unless said; only a clock that runs faster than real time needs it)."""
        configure_mappers()  # _job_of fills instances directly: the mapping must be complete
        self.database = database
        self.handlers = handlers
        self.clock = clock
        self.batch_size = batch_size
        self.claim_timeout = claim_timeout
        self.heartbeat_seconds = heartbeat_seconds or claim_timeout.total_seconds() / 3
        self.on_failed = on_failed
        self.observe = observe  # (kind, outcome) of every run, for metrics
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._lock = asyncio.Lock()
        self.concurrency = concurrency
        self._running = 0  # jobs of this worker in their handler now
        self._writer = OutcomeWriter(database, self.worker_id)
        self._held: dict[int, DueJob] = {}  # claimed here, outcome not yet handed to the writer
        self._lanes: set[asyncio.Task[int]] = set()
        self._wake = asyncio.Event()
        self._stopping = False

    # -- claiming ---------------------------------------------------------------------------

    async def claim(self) -> list[DueJob]:
        """Claim up to `batch_size` due jobs (oldest first), timed-out claims included."""
        if self._stopping:
            return []
        now = self.clock()

        def oldest(*where: Any, name: str) -> Any:
            # Each pick walks the (status, run_at, id) index and stops at the batch size.
            return (
                select(DueJob.id)
                .where(*where)
                .order_by(DueJob.run_at, DueJob.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
                .cte(name)
            )

        stale = oldest(
            DueJob.status == JobStatus.RUNNING.value,
            DueJob.claimed_at < now - self.claim_timeout,
            name="stale_claims",
        )
        due = oldest(
            DueJob.status == JobStatus.PENDING.value, DueJob.run_at <= now, name="due_jobs_now"
        )
        candidates = union_all(select(stale.c.id), select(due.c.id))
        table = DueJob.__table__
        claim = (
            table.update()
            .where(table.c.id.in_(candidates))
            .values(
                status=JobStatus.RUNNING.value,
                claimed_by=self.worker_id,
                claimed_at=now,
                attempts=table.c.attempts + 1,
            )
            .returning(*table.c)
        )
        async with statement_scope(self.database) as connection:
            rows = (await connection.execute(claim)).mappings().all()
        jobs = sorted(map(_job_of, rows), key=lambda job: (job.run_at, job.id))
        self._held.update((job.id, job) for job in jobs)
        return jobs

    async def _renew(self, jobs: list[DueJob]) -> set[int]:
        """Renew the claims on `jobs`; returns the ids still ours."""
        now = self.clock()
        async with self.database.session() as session, session.begin():
            renewed = await session.scalars(
                update(DueJob)
                .where(
                    DueJob.id.in_([job.id for job in jobs]),
                    DueJob.claimed_by == self.worker_id,
                    DueJob.status == JobStatus.RUNNING.value,
                )
                .values(claimed_at=now)
                .returning(DueJob.id),
                execution_options={"synchronize_session": False},
            )
            ours = set(renewed)
        for job in jobs:
            if job.id in ours:
                job.claimed_at = now
        return ours

    async def _heartbeat(self) -> None:
        """Renew every claim held here, a few times per claim timeout, while a batch runs."""
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            if held := list(self._held.values()):
                try:
                    await self._renew(held)
                except Exception as exc:  # the database may be away a moment: try again
                    log.warning("job engine: could not renew claims (%s)", describe_error(exc))

    async def _still_ours(self, job: DueJob) -> bool:
        """Before a job runs: renew its claim if it has aged (its lane may have waited out a
        Retry-After); False if it timed out and another worker took it."""
        if job.claimed_at is not None and self.clock() - job.claimed_at < self.claim_timeout / 4:
            return True  # nobody can have taken it: the claim is far from stale
        return job.id in await self._renew([job])

    # -- running ----------------------------------------------------------------------------

    async def run_job(self, job: DueJob) -> Outcome | None:
        """Run one claimed job; its outcome, or None if another worker had taken it over."""
        if not await self._still_ours(job):
            log.info("job %s (%s) was taken over by another worker", job.id, job.kind)
            return None
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            result = await handler(job)
        except RetryLater:
            self.observe(job.kind, "deferred")
            return Outcome.retry(job, self.clock() + backoff(1), job.last_error, counted=False)
        except Exception as exc:
            reason = describe_error(exc)
            self.observe(job.kind, "error")
            if job.attempts >= job.max_attempts:
                log.error("job %s (%s) failed for good: %s", job.id, job.kind, reason)
                return Outcome.failed(job, reason, self.clock())
            log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, reason)
            return Outcome.retry(job, self.clock() + backoff(job.attempts), reason, counted=True)
        self.observe(job.kind, "done")
        return Outcome.done(job, result, self.clock())

    async def _record(self, job: DueJob, outcome: Outcome) -> asyncio.Future[None] | None:
        """Hand `outcome` to the writer (its future: written) or, for a failure, write it now
        and report it if the failure is ours."""
        self._held.pop(job.id, None)  # from here the writer owns it; stop() waits for the writer
        if outcome.status != JobStatus.FAILED.value:
            return self._writer.submit(outcome)
        if await write_one(self.database, self.worker_id, outcome) and self.on_failed:
            await self.on_failed(job)
        return None

    async def _run_lane(self, jobs: list[DueJob], written: list[asyncio.Future[None]]) -> int:
        ran = 0
        for job in jobs:
            if self._stopping:
                return ran  # the rest is handed back by stop()
            self._running += 1
            try:
                outcome = await self.run_job(job)
            finally:
                self._running -= 1
            if outcome is None:
                self._held.pop(job.id, None)
                continue
            ran += 1
            if (future := await self._record(job, outcome)) is None:
                continue
            written.append(future)
            if job is not jobs[-1]:
                # In the database before the lane's next job runs: it may update this message.
                if self._running == 0:
                    self._writer.write_now()
                await asyncio.shield(future)
        return ran

    async def _run_lanes(
        self, lanes: deque[list[DueJob]], written: list[asyncio.Future[None]]
    ) -> int:
        """One of the batch's runners: takes lanes until none is left."""
        ran = 0
        while lanes:
            ran += await self._run_lane(lanes.popleft(), written)
        return ran

    async def _run_batch(self, batch: list[DueJob]) -> tuple[int, list[DueJob]]:
        """Run `batch`; returns how many ran, and the next batch (claimed as this one ends)."""
        by_lane: dict[str, list[DueJob]] = {}
        for job in batch:
            by_lane.setdefault(lane_of(job), []).append(job)
        lanes = deque(by_lane.values())
        runners = min(self.concurrency, len(lanes))
        written: list[asyncio.Future[None]] = []
        tasks = [asyncio.create_task(self._run_lanes(lanes, written)) for _ in range(runners)]
        self._lanes.update(tasks)
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            done = await asyncio.gather(*tasks, return_exceptions=True)
            self._writer.write_now()
            # The next claim goes out while the last outcomes are written (a second connection).
            _, claimed = await asyncio.gather(
                asyncio.gather(*written, return_exceptions=True), self.claim()
            )
        finally:
            heartbeat.cancel()
            self._lanes.difference_update(tasks)
        for failure in (item for item in done if isinstance(item, BaseException)):
            if not isinstance(failure, asyncio.CancelledError):
                log.error("job engine: a lane stopped: %s", describe_error(failure))
        if not self._stopping:
            await self._hand_back([job for job in batch if job.id in self._held])
        return sum(item for item in done if isinstance(item, int)), claimed

    async def _hand_back(self, jobs: list[DueJob]) -> None:
        """Release claims this worker will not finish (pending again, attempt not counted);
        if the database is away, the claims time out instead."""
        for job in jobs:
            self._held.pop(job.id, None)
        if not jobs:
            return
        try:
            async with self.database.session() as session, session.begin():
                await write_in(session, self.worker_id, map(Outcome.released, jobs))
        except Exception as exc:
            log.warning("job engine: could not hand back claims (%s)", describe_error(exc))
            return
        log.info("job engine: handed back %s unfinished jobs", len(jobs))

    async def run_due(self) -> int:
        """Run everything due now, batch after batch; returns how many jobs ran."""
        ran = 0
        async with self._lock:
            batch = await self.claim()
            while batch:
                count, batch = await self._run_batch(batch)
                ran += count
        return ran

    async def run_due_logged(self) -> int:
        """`run_due` for the ticker: a database outage is logged and retried at the next tick."""
        try:
            return await self.run_due()
        except Exception as exc:
            log.error("job engine: %s", describe_error(exc))
            return 0

    # -- waking and stopping ----------------------------------------------------------------

    def wake(self) -> None:
        """New work may be due: `serve` runs it now instead of at the next poll."""
        self._wake.set()

    async def serve(self) -> None:
        """Run due jobs each time the engine is woken (the ticker's poll, a commit, a NOTIFY),
        until `stop`. A wake-up during a run is not lost: it runs again right after."""
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            if not self._stopping:
                await self.run_due_logged()

    async def stop(self, grace_seconds: float) -> None:
        """Stop claiming; let running jobs finish within `grace_seconds`; hand back the rest."""
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace_seconds):
                while self._lanes:
                    await asyncio.wait(set(self._lanes))
        for task in list(self._lanes):
            task.cancel()
        if self._lanes:
            await asyncio.wait(set(self._lanes))
        await self._writer.drain()
        await self._hand_back(list(self._held.values()))
