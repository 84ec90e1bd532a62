"""Follow-up check-ins after a case closes: sent by the bot, answered anonymously.

An answer is stored with the organisation, the offset and the week only: nothing links it to the
person or the case. The check-in job remembers that it was answered (not what), so a second
click is refused politely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
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


def _about(locale: str, references: Sequence[str]) -> list[str]:
    """Which case (or cases) a check-in is about."""
    if not references:
        return []
    if len(references) == 1:
        return [t(locale, "checkin.about", reference=references[0])]
    return [t(locale, "checkin.about_cases", references=", ".join(references))]


def check_in_message(locale: str, check_in_id: int, references: Sequence[str] = ()) -> Message:
    """A check-in, saying which cases it follows: a person with several closed cases has one
    open check-in that covers them all, not one per case."""
    scores = [
        Button(action=SCORE, label=str(score), value=f"{check_in_id}:{score}", answers_line=0)
        for score in range(1, 6)
    ]
    about = _about(locale, references)
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
            Button(
                action=STOP,
                label=t(locale, "checkin.stop_cases" if len(references) > 1 else "checkin.stop"),
                value=str(check_in_id),
            ),
        ],
        footer=t(locale, "checkin.private"),
    )


def replaced_check_in(locale: str, references: Sequence[str], *, same_case: bool) -> Message:
    """An earlier check-in, once a newer one is sent (of the same case, or of another case of
    the same person, which then covers this one too): no buttons left on it."""
    return Message(
        kind="checkin",
        title=t(locale, "checkin.title"),
        lines=[
            *_about(locale, references),
            t(locale, "checkin.replaced" if same_case else "checkin.replaced_merged"),
        ],
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
            covers = await self._retire_earlier(session, identity, job, locale, now)
            message = check_in_message(locale, job.id, await self._references(session, covers))
            await deliver(session, to=identity, message=message, key=f"checkin:{job.id}", now=now)
        self.core.after_commit()
        return {"sent": True, "covers": covers}

    async def _references(self, session: AsyncSession, round_ids: Sequence[str]) -> list[str]:
        """The cases' references, of those still kept (the purge may have removed some)."""
        references = []
        for round_id in round_ids:
            case = await session.get(SupportRequest, round_id)
            if case is not None:
                references.append(case.reference)
        return references

    async def _retire_earlier(
        self, session: AsyncSession, identity: ChatIdentity, job: DueJob, locale: str, now: datetime
    ) -> list[str]:
        """Every earlier check-in of the person, sent and not answered, of this case or any
        other, loses its buttons, and the new one covers its cases: one open check-in per
        person, not a pile of them. Returns the cases the new one covers (its own first)."""
        covers = [job.payload["round"]]
        earlier = await session.scalars(
            select(DueJob)
            .where(
                DueJob.kind == FOLLOW_UP,
                DueJob.recipient_key == identity.lookup_key,
                DueJob.status == JobStatus.DONE.value,
                DueJob.id != job.id,
            )
            .order_by(DueJob.run_at.desc())
        )
        for old in earlier:
            result = old.result or {}
            if result.get("answered") or result.get("replaced") or not result.get("sent"):
                continue
            old_covers = result.get("covers") or [old.payload["round"]]
            covers.extend(round_id for round_id in old_covers if round_id not in covers)
            old.result = {**result, "replaced": True}
            sent = await session.scalar(
                select(DueJob).where(DueJob.idempotency_key == f"deliver:checkin:{old.id}")
            )
            if sent is not None:
                await deliver(
                    session,
                    to=identity,
                    message=replaced_check_in(
                        locale,
                        await self._references(session, old_covers),
                        same_case=old.payload["round"] == job.payload["round"],
                    ),
                    key=f"checkin:{old.id}:replaced",
                    now=now,
                    update_of=sent,
                )
        return covers

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
            if choice == STOP:  # stops every case the check-in covers, as it said
                covers = (job.result or {}).get("covers") or [job.payload["round"]]
                for round_id in covers:
                    await self._stop_remaining(session, round_id)
                references = await self._references(session, covers)
                if not references:
                    return notices.notice(locale, "checkin.stopped")
                if len(references) == 1:
                    return notices.notice(locale, "checkin.stopped_case", reference=references[0])
                return notices.notice(
                    locale, "checkin.stopped_cases", references=", ".join(references)
                )
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
