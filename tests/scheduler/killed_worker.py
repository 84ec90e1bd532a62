"""A worker process for the kill test: runs due `count` jobs and hangs on job 5, saying so, until
it is killed. Usage: python -m tests.scheduler.killed_worker DATABASE_URL ENCRYPTION_KEY"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from models import DueJob
from models.crypto import Vault, configure_vault
from models.db import Database
from scheduler.engine import JobEngine

STUCK_ON = 5


async def main(url: str, key: str) -> None:
    configure_vault(Vault([key]))

    async def count(job: DueJob) -> dict[str, Any]:
        if job.payload["n"] == STUCK_ON:
            print("STUCK", flush=True)
            await asyncio.Event().wait()  # until the test kills this process
        return {"by": "doomed"}

    await JobEngine(Database(url), {"count": count}, worker_id="doomed").run_due()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
