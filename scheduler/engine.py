"""The due-jobs engine: claim due rows, run them outside the claim, record the outcome.

The table is the truth. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL so any number of
workers share the table without running a job twice; SQLite serialises writers, which gives the
same guarantee for the single process it is meant for. A job left `running` by a worker that
died is claimed again once its claim is older than `claim_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from handlers.core.jobs import RetryLater
from models import DueJob, JobStatus, utcnow
from models.db import Database

log = logging.getLogger(__name__)

JobHandler = Callable[[DueJob], Awaitable[dict[str, Any] | None]]
Clock = Callable[[], datetime]


def backoff(attempt: int) -> timedelta:
    """Wait before retry `attempt` (1-based): 5 s, 10 s, 20 s ... capped at 15 minutes."""
    return timedelta(seconds=min(5 * 2 ** (attempt - 1), 900))


def describe_error(exc: BaseException) -> str:
    """An error summary safe to store and log: the type and status, never payload text."""
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status else "")


class JobEngine:
    def __init__(
        self,
        database: Database,
        handlers: dict[str, JobHandler],
        *,
        clock: Clock = utcnow,
        batch_size: int = 20,
        claim_timeout: timedelta = timedelta(minutes=5),
        on_failed: Callable[[DueJob], Awaitable[None]] | None = None,
        observe: Callable[[str, str], None] = lambda kind, outcome: None,
        worker_id: str | None = None,
    ) -> None:
        self.database = database
        self.handlers = handlers
        self.clock = clock
        self.batch_size = batch_size
        self.claim_timeout = claim_timeout
        self.on_failed = on_failed
        self.observe = observe  # (kind, outcome) of every run, for metrics
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._lock = asyncio.Lock()

    async def claim(self) -> list[DueJob]:
        now = self.clock()
        stale = now - self.claim_timeout
        async with self.database.session() as session, session.begin():
            due = (
                select(DueJob.id)
                .where(
                    or_(
                        (DueJob.status == JobStatus.PENDING.value) & (DueJob.run_at <= now),
                        (DueJob.status == JobStatus.RUNNING.value) & (DueJob.claimed_at < stale),
                    )
                )
                .order_by(DueJob.run_at, DueJob.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            ids = list(await session.scalars(due))
            if not ids:
                return []
            await session.execute(
                update(DueJob)
                .where(DueJob.id.in_(ids))
                .values(
                    status=JobStatus.RUNNING.value,
                    claimed_by=self.worker_id,
                    claimed_at=now,
                    attempts=DueJob.attempts + 1,
                )
            )
            jobs = await session.scalars(
                select(DueJob).where(DueJob.id.in_(ids)).order_by(DueJob.run_at, DueJob.id)
            )
            return list(jobs)

    async def _finish(self, job: DueJob, **values: Any) -> bool:
        """Write `values` (an outcome, or a renewed claim) if this worker still holds the claim;
        False if it timed out and another worker took the job."""
        async with self.database.session() as session, session.begin():
            result = await session.execute(
                update(DueJob)
                .where(
                    DueJob.id == job.id,
                    DueJob.claimed_by == self.worker_id,
                    DueJob.status == JobStatus.RUNNING.value,
                )
                .values(**values)
            )
            return result.rowcount == 1

    async def _still_ours(self, job: DueJob) -> bool:
        """Renew the claim on a job about to run if it has aged (jobs earlier in its batch may
        have waited out a Retry-After); False if it timed out and another worker took it."""
        now = self.clock()
        if job.claimed_at is not None and now - job.claimed_at < self.claim_timeout / 4:
            return True  # nobody can have taken it: the claim is far from stale
        return await self._finish(job, claimed_at=now)  # a renewal, if the claim is still ours

    async def run_job(self, job: DueJob) -> None:
        if not await self._still_ours(job):
            log.info("job %s (%s) was taken over by another worker", job.id, job.kind)
            return
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            result = await handler(job)
        except RetryLater:
            self.observe(job.kind, "deferred")
            await self._finish(
                job,
                status=JobStatus.PENDING.value,
                run_at=self.clock() + backoff(1),
                attempts=job.attempts - 1,
            )
            return
        except Exception as exc:
            reason = describe_error(exc)
            self.observe(job.kind, "error")
            if job.attempts >= job.max_attempts:
                log.error("job %s (%s) failed for good: %s", job.id, job.kind, reason)
                if (
                    await self._finish(
                        job,
                        status=JobStatus.FAILED.value,
                        last_error=reason,
                        finished_at=self.clock(),
                    )
                    and self.on_failed is not None
                ):
                    await self.on_failed(job)
            else:
                log.warning(
                    "job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, reason
                )
                await self._finish(
                    job,
                    status=JobStatus.PENDING.value,
                    run_at=self.clock() + backoff(job.attempts),
                    last_error=reason,
                )
            return
        self.observe(job.kind, "done")
        await self._finish(
            job, status=JobStatus.DONE.value, result=result, finished_at=self.clock()
        )

    async def run_due(self) -> int:
        """Run everything due now, batch after batch; returns how many jobs ran."""
        ran = 0
        async with self._lock:
            while batch := await self.claim():
                for job in batch:
                    await self.run_job(job)
                ran += len(batch)
        return ran

    async def run_due_logged(self) -> int:
        """`run_due` for the ticker: a database outage is logged and retried at the next tick."""
        try:
            return await self.run_due()
        except Exception as exc:
            log.error("job engine: %s", describe_error(exc))
            return 0
