"""Writing due jobs: called inside the transaction of the change that causes them (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import DueJob, JobStatus, utcnow

# The PostgreSQL channel workers LISTEN on; a NOTIFY is delivered when its transaction commits.
WAKE_CHANNEL = "due_jobs"
_NOTIFIED_IN = "due_jobs_notified_in"


class RetryLater(Exception):
    """Raised by a job that cannot run yet (what it depends on is not done); not a failure."""


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    key: str,
    run_at: datetime,
    payload: dict[str, Any],
    organisation_id: int | None = None,
    max_attempts: int = 8,
    recipient_key: str | None = None,
) -> DueJob:
    """Add a job unless one with the same idempotency key exists; returns the job either way.

    `recipient_key`: the lookup key of the person the job reaches, if it reaches one (forgetting
    them finds it by this). A job due now wakes the workers of other processes on PostgreSQL
    when the transaction commits (in this process the unit of work's after-commit does it)."""
    existing = await session.scalar(select(DueJob).where(DueJob.idempotency_key == key))
    if existing is not None:
        return existing
    job = DueJob(
        kind=kind,
        idempotency_key=key,
        run_at=run_at,
        payload=payload,
        organisation_id=organisation_id,
        max_attempts=max_attempts,
        status=JobStatus.PENDING.value,
        attempts=0,
        recipient_key=recipient_key,
    )
    session.add(job)
    await session.flush()
    if run_at <= utcnow() + timedelta(seconds=1):
        await _wake_workers_on_commit(session)
    return job


async def _wake_workers_on_commit(session: AsyncSession) -> None:
    """NOTIFY once per transaction; PostgreSQL sends it at commit and drops it on rollback."""
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.sync_session.get_transaction()
    if session.info.get(_NOTIFIED_IN) is transaction:
        return
    await session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))
    session.info[_NOTIFIED_IN] = transaction
