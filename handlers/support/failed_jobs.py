"""When a due job is given up after its retries, the coordinators hear of it (without personal
data), so a lost offer or check-in never goes unnoticed."""

from __future__ import annotations

import logging
from datetime import datetime

from handlers.core.i18n import t
from handlers.core.outbox import DELIVER
from handlers.core.ports import Message
from handlers.roster.notify import tell_coordinators
from models import DueJob, Organisation
from models.db import Database

log = logging.getLogger(__name__)

FAILURE_NOTICE = "job.failed"


async def report_failed_job(database: Database, job: DueJob, now: datetime) -> None:
    """`now` is the engine's clock, so the notice is due at once on that clock."""
    if job.organisation_id is None:
        return
    if job.kind == DELIVER and job.payload["message"]["kind"] == FAILURE_NOTICE:
        log.error("could not tell a coordinator about failed job %s", job.id)
        return  # reporting the failure of a failure report would loop
    async with database.session() as session, session.begin():
        organisation = await session.get(Organisation, job.organisation_id)
        if organisation is None:
            return
        await tell_coordinators(
            session,
            organisation,
            lambda locale: Message(
                kind=FAILURE_NOTICE,
                lines=[t(locale, "coordinator.job_failed", kind=job.kind, job_id=job.id)],
            ),
            f"failed:{job.id}",
            now,
        )
