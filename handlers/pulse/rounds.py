"""The weekly wellbeing pulse: opt-in, anonymous, one answer per person and question.

A round opens at the organisation's weekday and local time and stays open for three days.
Answers carry no person id: a keyed hash of the voter refuses a second answer, and the key is
deleted when the round closes, after which the hashes mean nothing. Figures are shown only
after the round closes and only for groups of at least the organisation's threshold.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.crisis_lines import crisis_resources
from handlers.core.dates import week_start
from handlers.core.i18n import pick_locale, t
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    address_of,
    find_identity,
    identity_for,
    locale_of,
    organisation_for,
)
from handlers.core.ports import Message, Messengers
from handlers.core.unit import Core
from handlers.pulse.messages import pulse_message
from handlers.pulse.pacing import paced
from models import ChatIdentity, DueJob, Organisation, PulseAnswer, PulseRound

PULSE_FAN_OUT = "pulse_fan_out"
PULSE_CLOSE = "pulse_close"
ROUND_LENGTH = timedelta(days=3)
LOW_SCORE = 2
MIN_THRESHOLD = 3


@dataclass(frozen=True)
class QuestionResult:
    question: int
    answers: int | None  # None when suppressed (fewer answers than the threshold)
    average: float | None


def opening_time(organisation: Organisation, week_of: date) -> datetime:
    zone = ZoneInfo(organisation.time_zone)
    day = week_of + timedelta(days=organisation.pulse_weekday)
    return datetime.combine(day, organisation.pulse_local_time, tzinfo=zone)


def voter_hash(key: str, identity: ChatIdentity) -> str:
    return hmac.new(bytes.fromhex(key), identity.lookup_key.encode(), hashlib.sha256).hexdigest()


def questions_of(organisation: Organisation) -> list[int]:
    """The pulse's questions: the wellbeing one, and the optional second."""
    return [1, 2] if organisation.pulse_second_question else [1]


class Pulses:
    def __init__(self, core: Core, messengers: Messengers | None = None) -> None:
        """`messengers`: the adapters running in this process, whose send windows pace the
        pulse (filled in as the platforms are installed; without it, one message a second)."""
        self.core = core
        self.database = core.database
        self.messengers = messengers or Messengers()

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {PULSE_FAN_OUT: self._fan_out, PULSE_CLOSE: self._close}

    async def set_opt_in(self, person: Person, opted_in: bool) -> Message:
        async with self.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.core.defaults
            )
            identity = await identity_for(session, organisation, person)
            identity.pulse_opt_in = opted_in
            identity.pulse_paused_until = None  # "pulse on" (or off) ends a pause
            locale = locale_of(identity, organisation)
        return notices.notice(locale, "pulse.on" if opted_in else "pulse.off")

    async def opted_in(self, person: Person) -> bool:
        async with self.database.reader() as session:
            identity = await find_identity(session, person)
        return bool(identity and identity.pulse_opt_in)

    async def open_due_rounds(self) -> int:
        """The cron tick: open this week's round wherever its time has come. Idempotent: the
        unique (organisation, week) key means several workers open each round once."""
        now = self.core.clock()
        opened = 0
        async with self.database.session() as session:
            organisations = list(await session.scalars(select(Organisation)))
        for organisation in organisations:
            week_of = week_start(now, ZoneInfo(organisation.time_zone))
            opens_at = opening_time(organisation, week_of)
            if not opens_at <= now < opens_at + ROUND_LENGTH:
                continue
            if await self._open_round(organisation, week_of, opens_at):
                opened += 1
        if opened:
            self.core.after_commit()
        return opened

    async def _open_round(
        self, organisation: Organisation, week_of: date, opens_at: datetime
    ) -> bool:
        try:
            async with self.database.session() as session, session.begin():
                pulse_round = PulseRound(
                    organisation_id=organisation.id,
                    week_of=week_of,
                    status="open",
                    opens_at=opens_at,
                    closes_at=opens_at + ROUND_LENGTH,
                    voter_key=secrets.token_hex(32),
                )
                session.add(pulse_round)
                await session.flush()
                for kind, run_at in (
                    (PULSE_FAN_OUT, self.core.clock()),
                    (PULSE_CLOSE, pulse_round.closes_at),
                ):
                    await enqueue(
                        session,
                        kind=kind,
                        key=f"{kind}:{pulse_round.id}",
                        run_at=run_at,
                        organisation_id=organisation.id,
                        payload={"round_id": pulse_round.id},
                    )
        except IntegrityError:
            return False  # another worker opened it
        return True

    async def _fan_out(self, job: DueJob) -> dict[str, Any]:
        """Queue one pulse per opted-in person, each at the time its workspace's send window has
        room for it (`handlers/pulse/pacing.py`). Each is its own delivery job, so a restart
        resumes where the sending stopped."""
        now = self.core.clock()
        async with self.database.session() as session, session.begin():
            pulse_round = await session.get(PulseRound, job.payload["round_id"])
            if pulse_round is None or pulse_round.status != "open":
                return {"skipped": "round closed"}
            organisation = await session.get(Organisation, pulse_round.organisation_id)
            assert organisation is not None
            people = await session.scalars(
                select(ChatIdentity)
                .where(
                    ChatIdentity.organisation_id == organisation.id,
                    ChatIdentity.pulse_opt_in.is_(True),
                    or_(
                        ChatIdentity.pulse_paused_until.is_(None),
                        ChatIdentity.pulse_paused_until <= now,
                    ),
                )
                .order_by(ChatIdentity.id)
            )
            questions = questions_of(organisation)
            threshold = max(organisation.anonymity_threshold, MIN_THRESHOLD)
            timed = paced(people, address_of, self.messengers.window_for, now)
            for identity, send_at in timed:
                message = pulse_message(
                    locale_of(identity, organisation), pulse_round.id, questions, threshold
                )
                await deliver(
                    session,
                    to=identity,
                    message=message,
                    key=f"pulse:{pulse_round.id}:{identity.id}",
                    now=send_at,
                )
        self.core.after_commit()
        return {"queued": len(timed)}

    async def _close(self, job: DueJob) -> dict[str, Any]:
        async with self.database.session() as session, session.begin():
            pulse_round = await session.get(PulseRound, job.payload["round_id"])
            if pulse_round is None:
                return {"skipped": "round gone"}
            pulse_round.status = "closed"
            pulse_round.voter_key = None  # from now on the voter hashes link to nobody
        return {"closed": True}

    async def answer(self, person: Person, round_id: int, question: int, score: int) -> Message:
        now = self.core.clock()
        async with self.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            pulse_round = await session.get(PulseRound, round_id)
            if identity is None or pulse_round is None:
                locale = pick_locale(person.locale, self.core.defaults.locale)
                return notices.notice(locale, "pulse.closed")
            organisation = await session.get(Organisation, pulse_round.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            if (
                pulse_round.status != "open"
                or pulse_round.voter_key is None
                or now >= pulse_round.closes_at
                or identity.organisation_id != pulse_round.organisation_id
                or score not in range(1, 6)
                or question not in questions_of(organisation)
            ):
                return notices.notice(locale, "pulse.closed")
            try:
                async with session.begin_nested():
                    session.add(
                        PulseAnswer(
                            round_id=pulse_round.id,
                            question=question,
                            score=score,
                            voter_hash=voter_hash(pulse_round.voter_key, identity),
                        )
                    )
            except IntegrityError:
                return notices.notice(locale, "pulse.already")
            mine = dict(
                (
                    await session.execute(
                        select(PulseAnswer.question, PulseAnswer.score).where(
                            PulseAnswer.round_id == pulse_round.id,
                            PulseAnswer.voter_hash == voter_hash(pulse_round.voter_key, identity),
                        )
                    )
                ).all()
            )
            low = min(mine.values()) <= LOW_SCORE  # any of their answers: the offer stays
            still_open = [q for q in questions_of(organisation) if q not in mine]
            if still_open:
                threshold = max(organisation.anonymity_threshold, MIN_THRESHOLD)
                return pulse_message(
                    locale,
                    pulse_round.id,
                    still_open,
                    threshold,
                    lead=[t(locale, "pulse.low" if low else "pulse.thanks")],
                    crisis=crisis_resources(organisation) if low else None,
                )
            resources = crisis_resources(organisation)
        if low:
            return notices.offer_support(locale, "pulse.low", resources)
        return notices.notice(locale, "pulse.thanks")

    async def results(self, round_id: int) -> list[QuestionResult] | None:
        """Per question: the count and average, or suppressed; None while the round is open."""
        async with self.database.session() as session:
            pulse_round = await session.get(PulseRound, round_id)
            if pulse_round is None or pulse_round.status != "closed":
                return None
            organisation = await session.get(Organisation, pulse_round.organisation_id)
            assert organisation is not None
            return await _round_figures(session, pulse_round, organisation)


async def _round_figures(
    session: AsyncSession, pulse_round: PulseRound, organisation: Organisation
) -> list[QuestionResult]:
    threshold = max(organisation.anonymity_threshold, MIN_THRESHOLD)
    rows = await session.execute(
        select(PulseAnswer.question, func.count(), func.avg(PulseAnswer.score))
        .where(PulseAnswer.round_id == pulse_round.id)
        .group_by(PulseAnswer.question)
        .order_by(PulseAnswer.question)
    )
    results = []
    for question, count, average in rows:
        if count < threshold:
            results.append(QuestionResult(question=question, answers=None, average=None))
        else:
            results.append(
                QuestionResult(question=question, answers=count, average=round(float(average), 2))
            )
    return results
