"""APScheduler 3 only ticks: an interval job that runs due jobs. The due-jobs table is the truth."""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.engine import JobEngine

DUE_JOBS_TICK = "due-jobs"


class Ticker:
    def __init__(self, engine: JobEngine, poll_seconds: float) -> None:
        self.engine = engine
        self.scheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": 1, "coalesce": True, "max_instances": 1}
        )
        self.scheduler.add_job(
            self._tick, "interval", seconds=poll_seconds, id=DUE_JOBS_TICK, next_run_time=None
        )

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
