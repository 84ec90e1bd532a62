"""Writing due jobs: called inside the transaction of the change that causes them (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DueJob, JobStatus

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
            }
    if rows:
        written = await session.scalars(
            insert(DueJob).returning(DueJob.id, sort_by_parameter_order=True),
            list(rows.values()),
        )
        ids.update(zip(rows, written, strict=True))
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
) -> DueJob:
    """Add a job unless one with the same idempotency key exists; returns the job either way."""
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
    )
    session.add(job)
    await session.flush()
    return job
