"""Follow-up check-ins after a case closes: sent by the bot, answered anonymously.

An answer is stored with the organisation, the offset and the week only: nothing links it to the
person or the case. The check-in job remembers that it was answered (not what), so a second
click is refused politely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.crisis_lines import crisis_resources
from handlers.core.dates import week_start
from handlers.core.i18n import pick_locale, t
from handlers.core.outbox import deliver
from handlers.core.people import Person, find_identity, locale_of
from handlers.core.ports import Button, Message
from handlers.core.unit import Core
from handlers.support.ending import FOLLOW_UP
from handlers.support.intake import Urgency
from models import ChatIdentity, DueJob, FollowUpAnswer, JobStatus, Organisation, SupportRequest

SCORE = "checkin.score"
TALK_AGAIN = "checkin.talk_again"
STOP = "checkin.stop"
LOW_SCORE = 2


def check_in_message(locale: str, check_in_id: int, reference: str | None = None) -> Message:
    """A check-in, saying which case it follows (a person may have had several)."""
    scores = [
        Button(action=SCORE, label=str(score), value=f"{check_in_id}:{score}", answers_line=0)
        for score in range(1, 6)
    ]
    about = [t(locale, "checkin.about", reference=reference)] if reference else []
    return Message(
        kind="checkin",
        title=t(locale, "checkin.title"),
        lines=[*about, t(locale, "checkin.question")],
        buttons=[
            *scores,
            Button(
                action=TALK_AGAIN, label=t(locale, "checkin.talk_again"), value=str(check_in_id)
            ),
            notices.pause_button(locale, "checkin"),
            Button(action=STOP, label=t(locale, "checkin.stop"), value=str(check_in_id)),
        ],
        footer=t(locale, "checkin.private"),
    )


def replaced_check_in(locale: str, reference: str | None) -> Message:
    """An earlier check-in of a case, once a newer one is sent: no buttons left on it."""
    about = [t(locale, "checkin.about", reference=reference)] if reference else []
    return Message(
        kind="checkin",
        title=t(locale, "checkin.title"),
        lines=[*about, t(locale, "checkin.replaced")],
    )


class FollowUps:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.database = core.database

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {FOLLOW_UP: self._send}

    async def _send(self, job: DueJob) -> dict[str, Any]:
        now = self.core.clock()
        async with self.database.session() as session, session.begin():
            identity = await session.get(ChatIdentity, job.payload["to"])
            if identity is None:
                return {"skipped": "person erased"}
            paused = identity.check_ins_paused_until
            if paused is not None and paused > now:
                return {"skipped": "paused"}
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            reference = await self._reference(session, job.payload["round"])
            await self._retire_earlier(session, identity, job, locale, reference, now)
            message = check_in_message(locale, job.id, reference)
            await deliver(session, to=identity, message=message, key=f"checkin:{job.id}", now=now)
        self.core.after_commit()
        return {"sent": True}

    async def _reference(self, session: AsyncSession, round_id: str) -> str | None:
        """The case's reference, while the case is kept (the purge may have removed it)."""
        case = await session.get(SupportRequest, round_id)
        return case.reference if case is not None else None

    async def _retire_earlier(
        self,
        session: AsyncSession,
        identity: ChatIdentity,
        job: DueJob,
        locale: str,
        reference: str | None,
        now: datetime,
    ) -> None:
        """The same case's earlier check-ins, sent and not answered, lose their buttons: one
        open check-in per case, not a pile of them."""
        earlier = await session.scalars(
            select(DueJob).where(
                DueJob.kind == FOLLOW_UP,
                DueJob.idempotency_key.startswith(f"follow_up:{job.payload['round']}:"),
                DueJob.status == JobStatus.DONE.value,
                DueJob.id != job.id,
            )
        )
        for old in earlier:
            if (old.result or {}).get("answered") or (old.result or {}).get("replaced"):
                continue
            sent = await session.scalar(
                select(DueJob).where(DueJob.idempotency_key == f"deliver:checkin:{old.id}")
            )
            old.result = {**(old.result or {}), "replaced": True}
            if sent is not None:
                await deliver(
                    session,
                    to=identity,
                    message=replaced_check_in(locale, reference),
                    key=f"checkin:{old.id}:replaced",
                    now=now,
                    update_of=sent,
                )

    async def answer(
        self, person: Person, check_in_id: int, choice: str, score: int | None = None
    ) -> Message:
        """A click on a check-in button: a score, "talk again" or "stop"."""
        now = self.core.clock()
        async with self.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            job = await session.get(DueJob, check_in_id, with_for_update=True)
            if (
                identity is None
                or job is None
                or job.kind != FOLLOW_UP
                or job.payload.get("to") != identity.id
            ):
                locale = pick_locale(person.locale, self.core.defaults.locale)
                return notices.notice(locale, "checkin.closed")
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            if (job.result or {}).get("answered"):
                return notices.notice(locale, "checkin.already")
            if (job.result or {}).get("replaced"):  # a newer check-in of the case is open
                return notices.notice(locale, "checkin.closed")
            valid_score = score if choice == SCORE and score in range(1, 6) else None
            session.add(
                FollowUpAnswer(
                    organisation_id=organisation.id,
                    offset_days=job.payload["offset_days"],
                    choice={SCORE: "score", TALK_AGAIN: "talk_again", STOP: "stop"}[choice],
                    score=valid_score,
                    week_of=week_start(now, ZoneInfo(organisation.time_zone)),
                )
            )
            job.result = {**(job.result or {}), "answered": True}
            if choice == STOP:
                await self._stop_remaining(session, job.payload["round"])
                reference = await self._reference(session, job.payload["round"])
                if reference is None:
                    return notices.notice(locale, "checkin.stopped")
                return notices.notice(locale, "checkin.stopped_case", reference=reference)
            previous = await session.get(SupportRequest, job.payload["round"])
        if choice == TALK_AGAIN:
            return talk_again(locale, previous)
        if valid_score is not None and valid_score <= LOW_SCORE:
            return notices.offer_support(locale, "checkin.low", crisis_resources(organisation))
        return notices.notice(locale, "checkin.thanks")

    async def _stop_remaining(self, session: AsyncSession, round_id: str) -> None:
        pending = await session.scalars(
            select(DueJob).where(
                DueJob.kind == FOLLOW_UP,
                DueJob.idempotency_key.startswith(f"follow_up:{round_id}:"),
                DueJob.status == JobStatus.PENDING.value,
            )
        )
        for job in pending:
            job.status = JobStatus.CANCELLED.value


def talk_again(locale: str, previous: SupportRequest | None) -> Message:
    """ "I would like to talk to a peer again": the form opens, filled in as the case it
    follows (what happened, how to be reached, language, anonymity), to check and send; the
    check-in says so, with a button to open it again."""
    prefill = {"urgency": Urgency.TODAY.value}
    if previous is not None:
        prefill |= {
            "category": previous.category,
            "contact": previous.contact,
            "language": previous.language,
            "anonymous": "true" if previous.anonymous else "false",
        }
    return Message(
        kind="checkin.talk_again",
        lines=[t(locale, "checkin.talk_again_form")],
        buttons=[notices.start_button(locale)],
        prefill=prefill,
    )
