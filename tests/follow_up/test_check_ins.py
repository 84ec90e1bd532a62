"""Follow-up check-ins after a case closes: sent by the bot, answered anonymously."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, select, text

from handlers.core.people import Person
from handlers.follow_up.check_ins import SCORE, STOP, TALK_AGAIN
from handlers.support.ending import FOLLOW_UP
from models import ChatIdentity, DueJob, FollowUpAnswer, SupportRequest
from tests.hospital import TENANT, Hospital


async def closed_case(hospital: Hospital, **settings: object) -> str:
    await hospital.setup(follow_up_offsets_days=[1, 3], **settings)
    await hospital.add_peer("ana")
    await hospital.add_peer("ben")
    request_id = await hospital.ask("dana", category="patient_death", contact="in_person")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    await hospital.run_jobs()
    return request_id


def check_in_id(hospital: Hospital) -> int:
    return int(hospital.last("dana", "checkin").message.buttons[-1].value)


async def test_the_bot_checks_in_on_the_first_offset_day(hospital: Hospital) -> None:
    await closed_case(hospital)
    assert "checkin" not in hospital.inbox("dana")
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    check_in = hospital.last("dana", "checkin").message
    assert [button.label for button in check_in.buttons][:5] == ["1", "2", "3", "4", "5"]
    assert "talk to a peer again" in check_in.plain_text()
    assert "Stop check-ins about this case" in check_in.plain_text()
    assert "checkin" not in hospital.inbox("ana"), "the peer does not send follow-ups"


async def test_an_answer_is_stored_without_any_link_and_only_once(hospital: Hospital) -> None:
    await closed_case(hospital)
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    dana = hospital.person("dana")
    view = await hospital.follow_ups.answer(dana, check_in_id(hospital), SCORE, 4)
    assert "Thank you for answering" in view.plain_text()
    again = await hospital.follow_ups.answer(dana, check_in_id(hospital), SCORE, 1)
    assert "already have your answer" in again.plain_text()
    async with hospital.database.session() as session:
        answers = list(await session.scalars(select(FollowUpAnswer)))
    assert [(a.offset_days, a.choice, a.score) for a in answers] == [(1, "score", 4)]
    columns = {column.key for column in inspect(FollowUpAnswer).columns}
    assert columns == {"id", "organisation_id", "offset_days", "choice", "score", "week_of"}


async def test_a_low_score_offers_support_in_the_same_message(hospital: Hospital) -> None:
    await closed_case(hospital)
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    view = await hospital.follow_ups.answer(
        hospital.person("dana"), check_in_id(hospital), SCORE, 1
    )
    assert [button.action for button in view.buttons] == ["support.start"]


async def test_stop_cancels_the_remaining_check_ins(hospital: Hospital) -> None:
    await closed_case(hospital)
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    view = await hospital.follow_ups.answer(hospital.person("dana"), check_in_id(hospital), STOP)
    assert "no more check-ins" in view.plain_text()
    hospital.clock.advance(days=5)
    await hospital.run_jobs()
    assert hospital.inbox("dana").count("checkin") == 1


async def test_talk_again_opens_the_form_filled_in_and_files_nothing(hospital: Hospital) -> None:
    """The form comes filled in as the case it follows; nothing is asked until it is sent, and
    then the peer who helped before is asked first."""
    await closed_case(hospital, offer_mode="sequential")
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    view = await hospital.follow_ups.answer(
        hospital.person("dana"), check_in_id(hospital), TALK_AGAIN
    )
    assert view.prefill is not None
    assert view.prefill["category"] == "patient_death"
    assert view.prefill["contact"] == "in_person"
    assert [button.action for button in view.buttons] == ["support.start"]  # to reopen it
    await hospital.run_jobs()
    assert await hospital.count(SupportRequest) == 1  # the form is not sent yet
    await hospital.ask("dana", category="patient_death", contact="in_person")
    await hospital.run_jobs()
    assert hospital.inbox("ana").count("offer") == 2
    assert hospital.inbox("ben").count("offer") == 0


async def test_a_check_in_names_its_case_and_a_newer_one_closes_the_older(
    hospital: Hospital,
) -> None:
    await closed_case(hospital)
    async with hospital.database.session() as session:
        reference = (await session.scalar(select(SupportRequest))).reference  # type: ignore[union-attr]
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    first = hospital.last("dana", "checkin")
    assert f"About case {reference}." in first.message.plain_text()
    hospital.clock.advance(days=2)  # the second one, the first left unanswered
    await hospital.run_jobs()
    assert "newer check-in" in first.updated[-1].plain_text()
    assert first.updated[-1].buttons == []
    stopped = await hospital.follow_ups.answer(hospital.person("dana"), check_in_id(hospital), STOP)
    assert f"no more check-ins about case {reference}" in stopped.plain_text()


async def test_someone_else_cannot_answer_a_check_in(hospital: Hospital) -> None:
    await closed_case(hospital)
    hospital.clock.advance(days=1)
    await hospital.run_jobs()
    view = await hospital.follow_ups.answer(hospital.person("ben"), check_in_id(hospital), SCORE, 5)
    assert "has closed" in view.plain_text()
    assert await hospital.count(FollowUpAnswer) == 0


async def test_check_ins_come_in_the_requesters_own_morning(hospital: Hospital) -> None:
    """Dana works from Los Angeles for a hospital in Madrid: 10:00 is her 10:00, not Madrid's
    (which would be 01:00 for her)."""
    hospital.people["dana"] = Person(
        platform="slack",
        tenant_id=TENANT,
        user_id="UDANA",
        display_name="Dana",
        locale="en-US",
        time_zone="America/Los_Angeles",
    )
    await closed_case(hospital, time_zone="Europe/Madrid")  # closed Monday 14:00 UTC
    async with hospital.database.session() as session:
        due = sorted(await session.scalars(select(DueJob.run_at).where(DueJob.kind == FOLLOW_UP)))
    assert due == [
        datetime(2026, 11, 24, 18, tzinfo=UTC),  # Tuesday 10:00 in Los Angeles
        datetime(2026, 11, 26, 18, tzinfo=UTC),
    ]
    async with hospital.database.session() as session:
        raw = (await session.execute(text("SELECT time_zone FROM chat_identities"))).scalars()
        assert "America/Los_Angeles" not in [str(value) for value in raw]  # stored encrypted


async def test_a_time_zone_nobody_knows_is_not_kept(hospital: Hospital) -> None:
    """A client may send anything as its time zone: "America" alone is not one. It is not
    kept, and the case still closes, its check-ins at the organisation's morning."""
    hospital.people["dana"] = Person(
        platform="slack", tenant_id=TENANT, user_id="UDANA", locale="en-US", time_zone="America"
    )
    await closed_case(hospital, time_zone="Europe/Madrid")
    async with hospital.database.session() as session:
        [dana] = [i for i in await session.scalars(select(ChatIdentity)) if i.user_id == "UDANA"]
        due = min(await session.scalars(select(DueJob.run_at).where(DueJob.kind == FOLLOW_UP)))
        request = await session.scalar(select(SupportRequest))
    assert dana.time_zone is None
    assert request is not None and request.status == "closed"
    assert due == datetime(2026, 11, 24, 9, tzinfo=UTC)  # Tuesday 10:00 in Madrid


def open_check_ins(hospital: Hospital) -> list[str]:
    """The text of each of dana's check-ins that still has buttons (as it is now)."""
    sent = hospital.messenger("dana").to(hospital.people["dana"].user_id)
    current = [item.updated[-1] if item.updated else item.message for item in sent]
    return [m.plain_text() for m in current if m.kind == "checkin" and m.buttons]


async def test_check_ins_of_several_cases_are_one_open_check_in_naming_them_all(
    hospital: Hospital,
) -> None:
    first = await closed_case(hospital)
    hospital.clock.advance(days=1)
    await hospital.run_jobs()  # the first case's day-1 check-in, left unanswered
    second = await hospital.ask("dana", category="violence", contact="chat")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), second)
    async with hospital.database.session() as session:
        one = (await session.get(SupportRequest, first)).reference  # type: ignore[union-attr]
        two = (await session.get(SupportRequest, second)).reference  # type: ignore[union-attr]

    hospital.clock.advance(days=1)  # the second case's day-1 check-in
    await hospital.run_jobs()
    assert open_check_ins(hospital) == [hospital.last("dana", "checkin").message.plain_text()]
    [merged] = open_check_ins(hospital)
    assert f"About your cases {two}, {one}" in merged
    assert "Stop check-ins about these cases" in merged
    sent = hospital.messenger("dana").to(hospital.people["dana"].user_id)
    earlier = next(item for item in sent if item.message.kind == "checkin")
    assert "covers this case too" in earlier.updated[-1].plain_text()

    hospital.clock.advance(days=1)  # the first case's day-3 check-in takes over both
    await hospital.run_jobs()
    [merged] = open_check_ins(hospital)
    assert f"About your cases {one}, {two}" in merged
    stopped = await hospital.follow_ups.answer(hospital.person("dana"), check_in_id(hospital), STOP)
    assert f"no more check-ins about cases {one}, {two}" in stopped.plain_text()
    sent = hospital.inbox("dana").count("checkin")
    hospital.clock.advance(days=30)
    await hospital.run_jobs()
    assert hospital.inbox("dana").count("checkin") == sent  # neither case's series goes on
