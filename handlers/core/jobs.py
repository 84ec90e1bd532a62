"""Writing due jobs: called inside the transaction of the change that causes them (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DueJob, JobStatus


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
