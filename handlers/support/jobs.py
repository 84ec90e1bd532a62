"""The support flow's due jobs: a new request's first offers, a tier's wait ending, a
one-at-a-time turn passing, and telling everyone again while nobody has accepted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers.core.unit import Core
from handlers.support.escalation import chase
from handlers.support.first_offers import route_new
from handlers.support.routing import advance
from handlers.support.steps import ADVANCE, CHASE, ESCALATE, ROUTE
from models import (
    DueJob,
)


class SupportJobs:
    """Runs the jobs that move requests on."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {
            ROUTE: self._run_routing,
            ESCALATE: self._run_escalation,
            ADVANCE: self._run_advance,
            CHASE: self._run_chase,
        }

    async def _run_routing(self, job: DueJob) -> dict[str, Any]:
        async with self.core.database.session() as session, session.begin():
            outcome = await route_new(session, job.payload["request_id"], self.core.clock())
        self.core.after_commit()
        return {"outcome": outcome}

    async def _run_escalation(self, job: DueJob) -> dict[str, Any]:
        from handlers.support.escalation import escalate

        async with self.core.database.session() as session, session.begin():
            outcome = await escalate(
                session, job.payload["request_id"], job.payload["tier_index"], self.core.clock()
            )
        self.core.after_commit()
        return {"outcome": outcome}

    async def _run_chase(self, job: DueJob) -> dict[str, Any]:
        async with self.core.database.session() as session, session.begin():
            outcome = await chase(
                session, job.payload["request_id"], job.payload["round"], self.core.clock()
            )
        self.core.after_commit()
        return {"outcome": outcome}

    async def _run_advance(self, job: DueJob) -> dict[str, Any]:
        async with self.core.database.session() as session, session.begin():
            outcome = await advance(session, job.payload["offer_id"], self.core.clock())
        self.core.after_commit()
        return {"outcome": outcome}
