"""How a claimed job ended, written for many jobs in one statement.

Writing each job's outcome in a transaction of its own cost most of a job's time (BEGIN, UPDATE,
COMMIT per job). Outcomes are instead gathered for a few milliseconds and written together: one
executemany UPDATE, guarded so a row another worker took over (its claim timed out) is left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from models import DueJob, JobStatus
from models.db import Database

# How long a finished job's outcome may wait for others to share its statement.
WRITE_WITHIN_SECONDS = 0.02

_TABLE = DueJob.__table__


@dataclass(frozen=True)
class Outcome:
    """The columns a finished (or handed back) job gets; every outcome sets all of them, so any
    mix of outcomes is one executemany."""

    job_id: int
    status: str
    run_at: datetime
    attempts: int
    result: dict[str, Any] | None
    last_error: str | None
    finished_at: datetime | None

    @classmethod
    def done(cls, job: DueJob, result: dict[str, Any] | None, now: datetime) -> Outcome:
        return cls(job.id, JobStatus.DONE.value, job.run_at, job.attempts, result, None, now)

    @classmethod
    def retry(cls, job: DueJob, run_at: datetime, error: str | None, *, counted: bool) -> Outcome:
        """Back to pending at `run_at`; an attempt not `counted` is given back."""
        attempts = job.attempts if counted else job.attempts - 1
        return cls(job.id, JobStatus.PENDING.value, run_at, attempts, job.result, error, None)

    @classmethod
    def failed(cls, job: DueJob, error: str, now: datetime) -> Outcome:
        return cls(job.id, JobStatus.FAILED.value, job.run_at, job.attempts, None, error, now)

    @classmethod
    def released(cls, job: DueJob) -> Outcome:
        """Handed back unrun (the worker is stopping): due again at once, attempt not counted."""
        return cls.retry(job, job.run_at, job.last_error, counted=False)

    def row(self) -> dict[str, Any]:
        return {
            "o_id": self.job_id,
            "o_status": self.status,
            "o_run_at": self.run_at,
            "o_attempts": self.attempts,
            "o_result": self.result,
            "o_last_error": self.last_error,
            "o_finished_at": self.finished_at,
        }


def _statement(worker_id: str) -> Any:
    still_ours = (
        (_TABLE.c.id == bindparam("o_id"))
        & (_TABLE.c.claimed_by == worker_id)
        & (_TABLE.c.status == JobStatus.RUNNING.value)
    )
    return (
        _TABLE.update()
        .where(still_ours)
        .values(
            status=bindparam("o_status"),
            run_at=bindparam("o_run_at"),
            attempts=bindparam("o_attempts"),
            result=bindparam("o_result"),
            last_error=bindparam("o_last_error"),
            finished_at=bindparam("o_finished_at"),
        )
    )


@contextlib.asynccontextmanager
async def statement_scope(database: Database) -> AsyncIterator[AsyncConnection]:
    """A connection for one self-contained statement. On PostgreSQL it runs in autocommit: a
    single UPDATE is atomic on its own, and BEGIN and COMMIT would be two more round trips for
    each claim and each write. SQLite keeps its transaction (its writer lock is taken there)."""
    if database.is_postgres:
        async with database.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")
    else:
        async with database.engine.begin() as connection:
            yield connection


async def write_in(
    session: AsyncSession | AsyncConnection, worker_id: str, outcomes: Iterable[Outcome]
) -> None:
    """Write `outcomes` in `session`'s transaction, one statement for all of them."""
    rows = [outcome.row() for outcome in outcomes]
    if rows:
        await session.execute(_statement(worker_id), rows)


async def write_one(database: Database, worker_id: str, outcome: Outcome) -> bool:
    """Write one outcome now; False if another worker holds the job (so, e.g., a failure is
    reported only by the worker whose failure it is)."""
    async with database.session() as session, session.begin():
        result = await session.execute(_statement(worker_id), outcome.row())
        return result.rowcount == 1


class OutcomeWriter:
    """Gathers outcomes and writes them together within WRITE_WITHIN_SECONDS of the first."""

    def __init__(self, database: Database, worker_id: str) -> None:
        self.database = database
        self.worker_id = worker_id
        self._waiting: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._flush: asyncio.Task[None] | None = None
        self._now = asyncio.Event()

    def submit(self, outcome: Outcome) -> asyncio.Future[None]:
        """Queue `outcome`; the future is done once it is in the database."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, written))
        if self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._write_soon())
        return written

    def write_now(self) -> None:
        """Nothing else is coming: write what is queued without waiting for company."""
        self._now.set()

    async def drain(self) -> None:
        """Return once every outcome handed over so far is written (or has failed to be)."""
        while self._flush is not None and not self._flush.done():
            await asyncio.wait({self._flush})

    async def _write_soon(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._now.wait(), WRITE_WITHIN_SECONDS)
        self._now.clear()
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with statement_scope(self.database) as connection:
                    await write_in(connection, self.worker_id, (outcome for outcome, _ in batch))
            except Exception as exc:
                for _, written in batch:
                    if not written.done():
                        written.set_exception(exc)
                continue
            for _, written in batch:
                if not written.done():
                    written.set_result(None)
