"""Due jobs per second on PostgreSQL with one and with two worker processes.

Usage: .venv/bin/python benchmarks/jobs_throughput.py [--jobs 5000] [--url postgresql+asyncpg://...]

Creates a throwaway database on the server, fills it with no-op jobs, and times worker processes
(each its own engine and connection pool, as `peer-support worker` runs) until the table is
drained. The handler does nothing, so this measures the engine: claim, run, record.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
import uuid
from datetime import UTC, datetime

from cryptography.fernet import Fernet
from loopback import admin  # benchmarks/loopback.py (run as a script)
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from models import Base, DueJob
from models.crypto import Vault, configure_vault
from models.db import Database
from scheduler.engine import JobEngine

KEY = Fernet.generate_key().decode()


async def _fill(url: str, jobs: int) -> None:
    configure_vault(Vault([KEY]))
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
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


async def _drain(url: str, worker: int) -> int:
    configure_vault(Vault([KEY]))
    database = Database(url)

    async def noop(job: DueJob) -> None:
        return None

    engine = JobEngine(database, {"noop": noop}, worker_id=f"bench-{worker}")
    ran = await engine.run_due()
    await database.dispose()
    return ran


def _worker(url: str, worker: int, results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(_drain(url, worker)))


async def _remaining(url: str) -> int:
    configure_vault(Vault([KEY]))
    database = Database(url)
    async with database.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(DueJob).where(DueJob.status != "done")
        )
    await database.dispose()
    return int(count or 0)


def measure(url: str, jobs: int, workers: int) -> float:
    asyncio.run(_fill(url, jobs))
    results: multiprocessing.Queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_worker, args=(url, number, results))
        for number in range(workers)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    ran = [results.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    assert sum(ran) == jobs, f"ran {sum(ran)} of {jobs}"
    assert asyncio.run(_remaining(url)) == 0
    return jobs / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    name = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(args.url, f'CREATE DATABASE "{name}"'))
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    try:
        for workers in (1, 2):
            rate = measure(url, args.jobs, workers)
            print(f"{workers} worker(s): {args.jobs} jobs, {rate:,.0f} jobs/s")
    finally:
        asyncio.run(admin(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
