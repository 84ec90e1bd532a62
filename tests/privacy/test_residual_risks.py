"""The residual risks docs/privacy.md owns up to, shown to be real: each test below passes
while the risk stands. When one is fixed, its test fails, and the page must say so too."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from handlers.follow_up.check_ins import SCORE
from handlers.privacy.retention import Retention
from handlers.support.encounters import Encounters
from models import AuditEvent, DueJob, EncounterAnswer, FollowUpAnswer, SupportRequest
from tests.follow_up.test_check_ins import check_in_id, closed_case
from tests.hospital import Hospital
from tests.reports.rows import add_requests, report_for


async def test_weeks_and_their_month_are_suppressed_apart_so_they_can_be_differenced(
    hospital: Hospital,
) -> None:
    """A hidden week (2 requests) is the month's total less the weeks shown: 18 - 16."""
    for day, count in ((7, 6), (14, 2), (21, 5), (28, 5)):  # Wednesdays of October 2026
        await add_requests(hospital.database, hospital.organisation_id,
                           datetime(2026, 10, day, 10, tzinfo=UTC), count)  # fmt: skip
    weeks = await report_for(hospital, date(2026, 10, 5), date(2026, 11, 1), "week")
    month = await report_for(hospital, date(2026, 10, 1), date(2026, 10, 31), "month")
    shown = [week.requests for week in weeks.periods]
    assert shown == [6, None, 5, 5]
    assert month.periods[0].requests == 18
    assert month.periods[0].requests - sum(n for n in shown if n is not None) == 2


async def test_a_check_in_answer_can_be_matched_to_its_case_by_offset_and_week(
    hospital: Hospital,
) -> None:
    """The answer has no person, but the sent check-in job names its case (in its plain key)
    and the answer's offset and week narrow it to that case when few check-ins go out."""
    request_id = await closed_case(hospital)
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    await hospital.follow_ups.answer(hospital.person("dana"), check_in_id(hospital), SCORE, 2)
    async with hospital.database.session() as session:
        [answer] = list(await session.scalars(select(FollowUpAnswer)))
        sent = list(
            await session.scalars(
                select(DueJob).where(DueJob.kind == "follow_up", DueJob.status == "done")
            )
        )
    assert [job.idempotency_key for job in sent] == [f"follow_up:{request_id}:1"]
    assert answer.offset_days == 1 and answer.score == 2  # one sent, one answer: matched


async def test_the_audit_log_and_the_peer_of_a_case_outlive_the_purge(hospital: Hospital) -> None:
    await hospital.setup(retention_days=30)
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    hospital.clock.advance(days=400)
    await hospital.run_jobs()
    assert await Retention(hospital.core).purge() == 1
    async with hospital.database.session() as session:
        request = await session.get(SupportRequest, request_id)
        events = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id))
        )
    assert request is not None and request.requester_id is None
    assert request.accepted_peer_id == hospital.peers["ana"]  # the workload stays countable
    assert {event.action for event in events} >= {"requested", "accepted", "closed"}


async def test_an_encounter_answer_can_be_matched_to_its_case_by_week(hospital: Hospital) -> None:
    """The answer keeps no case and no person, but the case keeps that it was answered and
    when it closed: with one case closed and answered in a week, the kind is that case's."""
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    await Encounters(hospital.core).note(hospital.person("ana"), request_id, "referred")
    async with hospital.database.session() as session:
        [answer] = list(await session.scalars(select(EncounterAnswer)))
        noted = list(
            await session.scalars(select(SupportRequest).where(SupportRequest.encounter_noted))
        )
    assert [request.id for request in noted] == [request_id]
    [case] = noted
    assert case.closed_at is not None
    closed_week = case.closed_at.date().toordinal() - case.closed_at.date().weekday()
    assert answer.week_of.toordinal() == closed_week and answer.kind == "referred"  # matched
