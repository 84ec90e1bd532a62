"""Due jobs per second on PostgreSQL with two worker processes, against pgqueuer in the same run.

Usage: .venv/bin/python benchmarks/jobs_throughput.py [--jobs 5000] [--repeats 3] [--workers 2]
       [--url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Each round fills a throwaway database on the server with no-op jobs and times worker processes
(each its own connections, as `peer-support worker` runs) until the table is drained; the handler
does nothing, so this measures the engine: claim, run, record. The anchor is pgqueuer (a
PostgreSQL job queue: FOR UPDATE SKIP LOCKED claims, batched acknowledgements), draining the same
number of no-op jobs with the same number of processes and the same batch size. Rounds are
interleaved A B B A and repeated, so a machine shared with other work slows both alike; the
ratio (bot / pgqueuer, above 1 is faster) is what counts, with its spread and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from cryptography.fernet import Fernet
from loopback import admin  # benchmarks/loopback.py (run as a script)
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from models import Base, DueJob
from models.crypto import Vault, configure_vault
from models.db import Database
from scheduler.engine import BATCH_SIZE, JobEngine

KEY = Fernet.generate_key().decode()


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- the bot's engine -------------------------------------------------------------------------


async def _fill_bot(url: str, jobs: int) -> None:
    configure_vault(Vault([KEY]))
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        now = datetime.now(UTC)
        rows = [
            {
                "kind": "noop",
                "idempotency_key": f"noop:{number}",
                "run_at": now,
                "status": "pending",
                "attempts": 0,
                "max_attempts": 8,
                "payload": {"n": number},
            }
            for number in range(jobs)
        ]
        await connection.execute(insert(DueJob), rows)
    await database.dispose()


async def _drain_bot(url: str, worker: int) -> int:
    configure_vault(Vault([KEY]))
    database = Database(url)

    async def noop(job: DueJob) -> None:
        return None

    ran = await JobEngine(database, {"noop": noop}, worker_id=f"bench-{worker}").run_due()
    await database.dispose()
    return ran


async def _left_bot(url: str) -> int:
    configure_vault(Vault([KEY]))
    database = Database(url)
    async with database.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(DueJob).where(DueJob.status != "done")
        )
    await database.dispose()
    return int(count or 0)


# --- the anchor: pgqueuer ---------------------------------------------------------------------


async def _fill_pgqueuer(url: str, jobs: int) -> None:
    from pgqueuer.queries import Queries

    connection = await asyncpg.connect(_dsn(url))
    try:
        queries = Queries.from_asyncpg_connection(connection)
        await queries.install()
        for start in range(0, jobs, 1000):
            count = min(1000, jobs - start)
            await queries.enqueue(["noop"] * count, [None] * count, [0] * count)
    finally:
        await connection.close()


async def _drain_pgqueuer(url: str, worker: int) -> int:
    from pgqueuer.qm import QueueManager
    from pgqueuer.queries import Queries
    from pgqueuer.types import QueueExecutionMode

    connection = await asyncpg.connect(_dsn(url))
    ran = 0
    manager = QueueManager(Queries.from_asyncpg_connection(connection))

    @manager.entrypoint("noop")
    async def noop(job: object) -> None:
        nonlocal ran
        ran += 1

    await manager.run(batch_size=BATCH_SIZE, mode=QueueExecutionMode.drain)
    await connection.close()
    return ran


async def _left_pgqueuer(url: str) -> int:
    connection = await asyncpg.connect(_dsn(url))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM pgqueuer"))
    finally:
        await connection.close()


# --- a round ----------------------------------------------------------------------------------

ENGINES = {
    "bot": (_fill_bot, _drain_bot, _left_bot),
    "pgqueuer": (_fill_pgqueuer, _drain_pgqueuer, _left_pgqueuer),
}


def _worker(engine: str, url: str, worker: int, results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(ENGINES[engine][1](url, worker)))


def measure(engine: str, server_url: str, jobs: int, workers: int) -> float:
    """Jobs a second for `engine` draining `jobs` with `workers` processes, on a fresh database."""
    fill, _, left = ENGINES[engine]
    name = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(fill(url, jobs))
        results: multiprocessing.Queue = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(target=_worker, args=(engine, url, number, results))
            for number in range(workers)
        ]
        started = time.perf_counter()
        for process in processes:
            process.start()
        ran = [results.get() for _ in processes]
        elapsed = time.perf_counter() - started
        for process in processes:
            process.join()
        assert sum(ran) == jobs, f"{engine} ran {sum(ran)} of {jobs}"
        assert asyncio.run(left(url)) == 0, f"{engine} left jobs undone"
        return jobs / elapsed
    finally:
        asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3, help="A B B A rounds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"bot": [], "pgqueuer": []}
    for _ in range(args.repeats):
        for engine in ("pgqueuer", "bot", "bot", "pgqueuer"):
            rate = measure(engine, args.url, args.jobs, args.workers)
            rates[engine].append(rate)
            print(f"  {engine:9} {args.jobs} jobs, {args.workers} workers: {rate:,.0f} jobs/s")
    pairs = [bot / anchor for bot, anchor in zip(rates["bot"], rates["pgqueuer"], strict=True)]
    ratio = statistics.median(rates["bot"]) / statistics.median(rates["pgqueuer"])
    print(
        f"bot {statistics.median(rates['bot']):,.0f} jobs/s, pgqueuer "
        f"{statistics.median(rates['pgqueuer']):,.0f} jobs/s: ratio {ratio:.2f}x "
        f"(rounds {min(pairs):.2f}x to {max(pairs):.2f}x; goal >= 1.00x); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
