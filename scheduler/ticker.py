"""APScheduler 3 only ticks: an interval job that runs due jobs. The due-jobs table is the truth."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.engine import JobEngine, describe_error

log = logging.getLogger(__name__)

DUE_JOBS_TICK = "due-jobs"
Periodic = Callable[[], Awaitable[object]]


class Ticker:
    """Runs due jobs every `poll_seconds`, and periodic tasks (which only enqueue due jobs,
    under unique keys, so running them in every worker is harmless)."""

    def __init__(
        self,
        engine: JobEngine,
        poll_seconds: float,
        periodic: dict[str, tuple[Periodic, float]] | None = None,
    ) -> None:
        self.engine = engine
        self.scheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": 1, "coalesce": True, "max_instances": 1}
        )
        self.scheduler.add_job(
            self._tick, "interval", seconds=poll_seconds, id=DUE_JOBS_TICK, next_run_time=None
        )
        for name, (task, every_seconds) in (periodic or {}).items():
            self.scheduler.add_job(
                self._guarded(name, task), "interval", seconds=every_seconds, id=name, name=name
            )

    @staticmethod
    def _guarded(name: str, task: Periodic) -> Periodic:
        async def run() -> None:
            try:
                await task()
            except Exception as exc:  # the database may be down: the next run tries again
                log.error("periodic task %s: %s", name, describe_error(exc))

        return run

    async def _tick(self) -> None:
        await self.engine.run_due_logged()

    def start(self) -> None:
        self.scheduler.start()
        self.kick()

    def kick(self) -> None:
        """Run the due-jobs tick now instead of waiting for the interval."""
        job = self.scheduler.get_job(DUE_JOBS_TICK)
        if job is not None:
            job.modify(next_run_time=datetime.now(self.scheduler.timezone))

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
