"""Rows written straight into the tables (for exact times and values), and the report on them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from handlers.reports.figures import Report, programme_report
from models import (
    EncounterAnswer,
    FollowUpAnswer,
    Organisation,
    PulseAnswer,
    PulseRound,
    ReachInEvent,
    SupportRequest,
)
from models.db import Database
from tests.hospital import Hospital

MONDAY = date(2026, 11, 23)  # the hospital's clock starts on this Monday, 14:00 UTC
NEXT_MONDAY = date(2026, 11, 30)


async def report_for(hospital: Hospital, start: date, end: date, period: str = "week") -> Report:
    async with hospital.database.session() as session:
        organisation = await session.get(Organisation, hospital.organisation_id)
        assert organisation is not None
        return await programme_report(session, organisation, start, end, period)


async def configure(database: Database, organisation_id: int, **settings: object) -> None:
    async with database.session() as session, session.begin():
        organisation = await session.get(Organisation, organisation_id)
        assert organisation is not None
        for key, value in settings.items():
            setattr(organisation, key, value)


async def add_requests(
    database: Database,
    organisation_id: int,
    created_at: datetime,
    count: int = 1,
    *,
    urgency: str = "now",
    category: str = "adverse_event",
    minutes_to_accept: float | None = None,
    peer_id: int | None = None,
    escalations: int = 0,
    tier_index: int = 0,
    crisis: bool = False,
) -> None:
    accepted_at = (
        None if minutes_to_accept is None else created_at + timedelta(minutes=minutes_to_accept)
    )
    async with database.session() as session, session.begin():
        for _ in range(count):
            session.add(
                SupportRequest(
                    id=str(uuid.uuid4()),
                    organisation_id=organisation_id,
                    urgency=urgency,
                    category=category,
                    contact="phone",
                    language="en",
                    crisis=crisis,
                    status="accepted" if accepted_at else "open",
                    escalations=escalations,
                    tier_index=tier_index,
                    accepted_peer_id=peer_id,
                    created_at=created_at,
                    accepted_at=accepted_at,
                )
            )


async def add_follow_ups(
    database: Database, organisation_id: int, week_of: date, scores: list[int], stops: int = 0
) -> None:
    async with database.session() as session, session.begin():
        for score in scores:
            session.add(
                FollowUpAnswer(
                    organisation_id=organisation_id,
                    offset_days=1,
                    choice="score",
                    score=score,
                    week_of=week_of,
                )
            )
        for _ in range(stops):
            session.add(
                FollowUpAnswer(
                    organisation_id=organisation_id, offset_days=1, choice="stop", week_of=week_of
                )
            )


async def add_pulse_round(
    database: Database,
    organisation_id: int,
    week_of: date,
    scores: list[int],
    *,
    question: int = 1,
    status: str = "closed",
) -> None:
    """A round opening on the Wednesday of `week_of` and closing three days later."""
    opens_at = datetime(week_of.year, week_of.month, week_of.day, 11, tzinfo=UTC) + timedelta(
        days=2
    )
    async with database.session() as session, session.begin():
        pulse_round = PulseRound(
            organisation_id=organisation_id,
            week_of=week_of,
            status=status,
            opens_at=opens_at,
            closes_at=opens_at + timedelta(days=3),
        )
        session.add(pulse_round)
        await session.flush()
        for position, score in enumerate(scores):
            session.add(
                PulseAnswer(
                    round_id=pulse_round.id,
                    question=question,
                    score=score,
                    voter_hash=f"voter-{position}",
                )
            )


async def add_encounters(
    database: Database, organisation_id: int, week_of: date, kinds: list[str]
) -> None:
    async with database.session() as session, session.begin():
        for kind in kinds:
            session.add(
                EncounterAnswer(organisation_id=organisation_id, kind=kind, week_of=week_of)
            )


async def add_reach_in(
    database: Database, organisation_id: int, day: date, *, reached: int, **answers: int
) -> None:
    async with database.session() as session, session.begin():
        session.add(
            ReachInEvent(
                organisation_id=organisation_id,
                occurred_on=day,
                category="patient_death",
                recorded_by="admin:cli",
                recorded_at=datetime.combine(day, datetime.min.time(), UTC),
                reached=reached,
                **answers,
            )
        )
