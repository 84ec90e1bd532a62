"""Erasure on request ("forget me"): open requests are withdrawn first, so a peer waiting on
them is told; then every request loses its link to the person, the messages queued or kept
for them go, and the identity itself."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.audit import REQUESTER, record
from handlers.core.i18n import pick_locale
from handlers.core.outbox import DELIVER
from handlers.core.people import Person, find_identity, locale_of
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.support.ending import FOLLOW_UP, Cases
from handlers.support.relay import relay_key_prefix
from models import (
    ChatIdentity,
    DueJob,
    JobStatus,
    Organisation,
    RequestStatus,
    SupportRequest,
)


class Erasure:
    def __init__(self, core: Core, cases: Cases) -> None:
        self.core = core
        self.cases = cases
        self.database = core.database

    @staticmethod
    async def _forget_jobs(session: AsyncSession, identity: ChatIdentity) -> None:
        """Queued work that holds or reaches the person goes: messages to them (sent or not:
        the sent ones keep their text and where they went), the relayed words of their cases
        both ways, and their check-ins still to come. A job running now is left to finish."""
        request_ids = list(
            await session.scalars(
                select(SupportRequest.id).where(SupportRequest.requester_id == identity.id)
            )
        )
        # Messages and check-ins to the person carry their keyed hash; relayed words to the
        # peer are found by their case's key prefix. Only those rows are loaded.
        prefixes = [f"deliver:{relay_key_prefix(request_id)}" for request_id in request_ids]
        ours = [DueJob.recipient_key == identity.lookup_key] + [
            DueJob.idempotency_key.startswith(prefix, autoescape=True) for prefix in prefixes
        ]
        scope = (
            DueJob.organisation_id == identity.organisation_id,
            DueJob.kind.in_([DELIVER, FOLLOW_UP]),
            DueJob.status != JobStatus.RUNNING.value,
        )
        await session.execute(
            delete(DueJob).where(*scope, or_(*ours)).execution_options(synchronize_session=False)
        )
        # Jobs written before they carried a recipient (migration 0013) are read one by one.
        for job in await session.scalars(
            select(DueJob).where(*scope, DueJob.recipient_key.is_(None))
        ):
            if job.payload.get("to") == identity.id:
                await session.delete(job)

    async def forget(self, person: Person) -> Message:
        """Erase everything about a person: open requests are withdrawn first, so a peer waiting
        on them is told; then every request loses its link and the identity itself goes."""
        async with self.database.session() as session:
            identity = await find_identity(session, person)
            if identity is None:
                locale = pick_locale(person.locale, self.core.defaults.locale)
                return notices.notice(locale, "forget.nothing")
            open_requests = list(
                await session.scalars(
                    select(SupportRequest.id).where(
                        SupportRequest.requester_id == identity.id,
                        SupportRequest.status.in_(
                            [RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value]
                        ),
                    )
                )
            )
        for request_id in open_requests:
            await self.cases.withdraw(person, request_id)
        now = self.core.clock()
        async with self.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            assert identity is not None
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            locale = pick_locale(person.locale, locale_of(identity, organisation))
            await self._forget_jobs(session, identity)
            await session.execute(
                update(SupportRequest)
                .where(SupportRequest.requester_id == identity.id)
                .values(
                    requester_id=None,
                    requester_unit=None,
                    note=None,
                    contact_number=None,
                    purged_at=now,
                )
            )
            await session.delete(identity)  # peers row cascades: a forgotten peer leaves the roster
            record(
                session,
                organisation_id=organisation.id,
                request_id=None,
                actor=REQUESTER,
                action="erased",
                at=now,
            )
        return notices.notice(locale, "forget.done")
