"""A worker process for the stop tests: runs due `count` jobs; job 5 hangs (a platform that
never answers) and job 6 takes a second and a half. Once job 5 has started and the others have
had a second to finish, it prints STUCK. Then the test kills it (SIGKILL) or stops it (SIGTERM,
handled as `peer-support worker` handles it: finish within the grace period, hand back the rest).

Usage: python -m tests.scheduler.killed_worker DATABASE_URL ENCRYPTION_KEY GRACE_SECONDS
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from typing import Any

from models import DueJob
from models.crypto import Vault, configure_vault
from models.db import Database
from scheduler.engine import JobEngine
from scheduler.ticker import Ticker, run_until_signalled

STUCK_ON = 5
SLOW = 6


async def main(url: str, key: str, grace_seconds: float) -> None:
    configure_vault(Vault([key]))

    async def count(job: DueJob) -> dict[str, Any]:
        if job.payload["n"] == STUCK_ON:
            await asyncio.sleep(1)
            print("STUCK", flush=True)
            await asyncio.Event().wait()  # until the test kills or stops this process
        if job.payload["n"] == SLOW:
            await asyncio.sleep(1.5)
        return {"by": "doomed"}

    database = Database(url)
    engine = JobEngine(
        database, {"count": count}, worker_id="doomed", claim_timeout=timedelta(seconds=5)
    )
    await run_until_signalled(Ticker(engine, poll_seconds=1), grace_seconds)
    await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
