"""The weekly pulse: opened once per week, anonymous, one answer each, small groups hidden."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from handlers.pulse.rounds import Pulses
from models import Organisation, PulseAnswer, PulseRound
from tests.hospital import Hospital

STAFF = [f"staff{number}" for number in range(6)]


@pytest.fixture
async def pulses(hospital: Hospital) -> Pulses:
    # Wednesdays at 11:00 in Madrid; the hospital's clock starts on Monday 2026-11-23.
    await hospital.setup(time_zone="Europe/Madrid", pulse_weekday=2, pulse_local_time=time(11))
    pulses = Pulses(hospital.core)
    hospital.engine.handlers.update(pulses.job_handlers())
    for name in STAFF:
        await pulses.set_opt_in(hospital.person(name), True)
    return pulses


async def open_round(hospital: Hospital, pulses: Pulses) -> int:
    hospital.clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 11:00 in Madrid
    assert await pulses.open_due_rounds() == 1
    await hospital.run_jobs()
    hospital.clock.advance(seconds=5)  # pulses are paced a fraction of a second apart
    await hospital.run_jobs()
    async with hospital.database.session() as session:
        pulse_round = await session.scalar(select(PulseRound))
    assert pulse_round is not None
    return pulse_round.id


async def test_the_round_opens_at_the_local_time_once(hospital: Hospital, pulses: Pulses) -> None:
    hospital.clock.now = datetime(2026, 11, 25, 9, 59, tzinfo=UTC)
    assert await pulses.open_due_rounds() == 0
    await open_round(hospital, pulses)
    # A second worker (another Pulses on the same database) opens nothing more.
    assert await Pulses(hospital.core).open_due_rounds() == 0
    await hospital.run_jobs()
    for name in STAFF:
        assert hospital.inbox(name) == ["pulse"]


async def test_opted_out_people_get_nothing(hospital: Hospital, pulses: Pulses) -> None:
    view = await pulses.set_opt_in(hospital.person("staff0"), False)
    assert "no longer get the weekly" in view.plain_text()
    await open_round(hospital, pulses)
    assert hospital.inbox("staff0") == []
    assert hospital.inbox("staff1") == ["pulse"]


async def test_a_second_answer_is_refused_and_answers_carry_no_person(
    hospital: Hospital, pulses: Pulses
) -> None:
    round_id = await open_round(hospital, pulses)
    person = hospital.person("staff1")
    first = await pulses.answer(person, round_id, 1, 4)
    assert "counted anonymously" in first.plain_text()
    second = await pulses.answer(person, round_id, 1, 2)
    assert "already answered" in second.plain_text()
    async with hospital.database.session() as session:
        answers = list(await session.scalars(select(PulseAnswer)))
    assert [(answer.question, answer.score) for answer in answers] == [(1, 4)]
    columns = {column.key for column in inspect(PulseAnswer).columns}
    assert columns == {"id", "round_id", "question", "score", "voter_hash"}
    assert "USTAFF1" not in answers[0].voter_hash


async def test_a_low_score_offers_support(hospital: Hospital, pulses: Pulses) -> None:
    round_id = await open_round(hospital, pulses)
    view = await pulses.answer(hospital.person("staff2"), round_id, 1, 1)
    assert [button.action for button in view.buttons] == ["support.start"]


async def test_the_second_question_stays_open_after_the_first_answer(
    hospital: Hospital, pulses: Pulses
) -> None:
    await hospital.setup(pulse_second_question=True)
    round_id = await open_round(hospital, pulses)
    pulse = hospital.last("staff1", "pulse").message
    values = [button.value for button in pulse.buttons if button.action == "pulse.answer"]
    assert {value.split(":")[1] for value in values} == {"1", "2"}

    person = hospital.person("staff1")
    after_first = await pulses.answer(person, round_id, 1, 1)  # a low score
    text = after_first.plain_text()
    assert "supported do you feel by your team" in text and "feeling about work" not in text
    assert after_first.buttons[0].action == "support.start"  # a low score still offers support
    answers = [button.value for button in after_first.buttons if button.action == "pulse.answer"]
    assert len(answers) == 5 and all(value.split(":")[1] == "2" for value in answers)
    after_second = await pulses.answer(person, round_id, 2, 4)
    assert not [b for b in after_second.buttons if b.action == "pulse.answer"]
    # the first answer was low: the offer of support stays after the second
    assert [b.action for b in after_second.buttons] == ["support.start"]
    again = await pulses.answer(person, round_id, 2, 5)
    assert "already answered" in again.plain_text()


async def test_without_the_second_question_its_answer_is_refused(
    hospital: Hospital, pulses: Pulses
) -> None:
    round_id = await open_round(hospital, pulses)
    refused = await pulses.answer(hospital.person("staff1"), round_id, 2, 4)
    assert "closed" in refused.plain_text()


async def test_results_wait_for_the_close_and_hide_small_groups(
    hospital: Hospital, pulses: Pulses
) -> None:
    round_id = await open_round(hospital, pulses)
    for name, score in zip(STAFF[:5], [5, 4, 4, 3, 2], strict=True):
        await pulses.answer(hospital.person(name), round_id, 1, score)
    assert await pulses.results(round_id) is None  # still open
    hospital.clock.advance(days=3)
    await hospital.run_jobs()
    results = await pulses.results(round_id)
    assert results is not None
    assert [(r.question, r.answers, r.average) for r in results] == [(1, 5, 3.6)]
    async with hospital.database.session() as session:
        closed = await session.get(PulseRound, round_id)
    assert closed is not None and closed.voter_key is None
    late = await pulses.answer(hospital.person("staff5"), round_id, 1, 5)
    assert "has closed" in late.plain_text()


async def test_fewer_answers_than_the_threshold_are_suppressed(
    hospital: Hospital, pulses: Pulses
) -> None:
    round_id = await open_round(hospital, pulses)
    for name in STAFF[:4]:
        await pulses.answer(hospital.person(name), round_id, 1, 5)
    hospital.clock.advance(days=3)
    await hospital.run_jobs()
    results = await pulses.results(round_id)
    assert results is not None
    assert [(r.answers, r.average) for r in results] == [(None, None)]


async def test_a_threshold_below_three_is_refused(hospital: Hospital) -> None:
    with pytest.raises(IntegrityError):
        async with hospital.database.session() as session, session.begin():
            organisation = await session.get(Organisation, hospital.organisation_id)
            assert organisation is not None
            organisation.anonymity_threshold = 2


async def test_two_workers_opening_at_once_send_the_round_once(
    hospital: Hospital, pulses: Pulses
) -> None:
    hospital.clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    opened = await asyncio.gather(pulses.open_due_rounds(), Pulses(hospital.core).open_due_rounds())
    assert sorted(opened) == [0, 1]
    await hospital.run_jobs()
    hospital.clock.advance(seconds=5)
    await hospital.run_jobs()
    for name in STAFF:
        assert hospital.inbox(name) == ["pulse"]
