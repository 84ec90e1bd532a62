"""APScheduler 3 only ticks: an interval that wakes the due-jobs engine, and periodic tasks.
The due-jobs table is the truth.

APScheduler's AsyncIOExecutor cancels running coroutine jobs when the scheduler shuts down, which
would cut a batch short; so the engine runs in a task of its own (`JobEngine.serve`), which the
tick only wakes, and periodic tasks run in tasks that `stop` waits for within the grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.engine import JobEngine, describe_error
from scheduler.wakeup import PostgresWakeup

log = logging.getLogger(__name__)

DUE_JOBS_TICK = "due-jobs"
Periodic = Callable[[], Awaitable[object]]


class Ticker:
    """Wakes the engine every `poll_seconds` (the safety net behind commits and NOTIFYs), and
    runs periodic tasks (which only enqueue due jobs, under unique keys, so running them in
    every worker is harmless)."""

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
        self.scheduler.add_job(self._tick, "interval", seconds=poll_seconds, id=DUE_JOBS_TICK)
        for name, (task, every_seconds) in (periodic or {}).items():
            self.scheduler.add_job(
                self._in_own_task(name, task), "interval", seconds=every_seconds, id=name
            )
        self._tasks: set[asyncio.Task[None]] = set()
        self._serving: asyncio.Task[None] | None = None
        # Other processes' commits wake this one at once on PostgreSQL (LISTEN/NOTIFY).
        self.wakeup = (
            PostgresWakeup(engine.database.url, engine.wake)
            if engine.database.is_postgres
            else None
        )

    async def _tick(self) -> None:  # a coroutine: APScheduler runs plain functions in threads
        self.engine.wake()

    def _in_own_task(self, name: str, task: Periodic) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            try:
                await task()
            except Exception as exc:  # the database may be down: the next run tries again
                log.error("periodic task %s: %s", name, describe_error(exc))

        async def start() -> None:
            running = asyncio.get_running_loop().create_task(run())
            self._tasks.add(running)
            running.add_done_callback(self._tasks.discard)

        return start

    def start(self) -> None:
        self.scheduler.start()
        self._serving = asyncio.get_running_loop().create_task(self.engine.serve())
        if self.wakeup is not None:
            self.wakeup.start()
        self.kick()

    def kick(self) -> None:
        """Run due jobs now instead of waiting for the interval."""
        self.engine.wake()

    async def stop(self, grace_seconds: float) -> None:
        """Stop ticking; let the engine finish or hand back its jobs within `grace_seconds`."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.wakeup is not None:
            await self.wakeup.stop()
        await self.engine.stop(grace_seconds)
        if self._serving is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._serving), timeout=1)
            self._serving.cancel()
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=1)
            for task in late:
                task.cancel()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, from now on: a process that takes it before its
    start-up is over (migrations checked, platforms installed) still stops cleanly, exit 0."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def run_until_signalled(
    ticker: Ticker, grace_seconds: float, stop: asyncio.Event | None = None
) -> None:
    """Tick until SIGTERM or SIGINT (a deploy, `systemctl restart`, a rollout, Ctrl-C), then
    stop within `grace_seconds`: running jobs finish or are handed back to the other workers.
    `stop`: the event of `stop_on_signals`, if the process listened for them earlier."""
    stop = stop or stop_on_signals()
    ticker.start()
    await stop.wait()
    log.info("stopping: finishing or handing back the jobs held (grace %s s)", grace_seconds)
    await ticker.stop(grace_seconds)
