"""Writing due jobs: called inside the transaction of the change that causes them (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import DueJob, JobStatus, utcnow

# The PostgreSQL channel workers LISTEN on; a NOTIFY is delivered when its transaction commits.
WAKE_CHANNEL = "due_jobs"
_NOTIFIED_IN = "due_jobs_notified_in"

KEYS_PER_QUERY = 500  # an IN list well under SQLite's and asyncpg's parameter limits


class RetryLater(Exception):
    """Raised by a job that cannot run yet (what it depends on is not done); not a failure."""


@dataclass(frozen=True)
class NewJob:
    """One job of `enqueue_many`."""

    kind: str
    key: str
    run_at: datetime
    payload: dict[str, Any]
    organisation_id: int | None = None
    max_attempts: int = 8
    recipient_key: str | None = None  # as `enqueue`'s: the recipient's lookup key


async def enqueue_many(session: AsyncSession, jobs: Sequence[NewJob]) -> list[int]:
    """`enqueue` for many jobs in a few statements whatever their number (a broadcast to a
    whole roster): one read of the keys already there, one multi-row insert. Returns the job
    ids in the order given (the existing job's for a key already used)."""
    keys = [job.key for job in jobs]
    ids: dict[str, int] = {}
    for chunk in range(0, len(keys), KEYS_PER_QUERY):
        found = await session.execute(
            select(DueJob.idempotency_key, DueJob.id).where(
                DueJob.idempotency_key.in_(keys[chunk : chunk + KEYS_PER_QUERY])
            )
        )
        ids.update({key: job_id for key, job_id in found})
    rows: dict[str, dict[str, Any]] = {}
    for job in jobs:
        if job.key not in ids and job.key not in rows:
            rows[job.key] = {
                "kind": job.kind,
                "idempotency_key": job.key,
                "run_at": job.run_at,
                "payload": job.payload,
                "organisation_id": job.organisation_id,
                "max_attempts": job.max_attempts,
                "status": JobStatus.PENDING.value,
                "attempts": 0,
                "recipient_key": job.recipient_key,
            }
    if rows:
        written = await session.scalars(
            insert(DueJob).returning(DueJob.id, sort_by_parameter_order=True),
            list(rows.values()),
        )
        ids.update(zip(rows, written, strict=True))
        if any(job.run_at <= utcnow() + timedelta(seconds=1) for job in jobs):
            await _wake_workers_on_commit(session)
    return [ids[key] for key in keys]


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
