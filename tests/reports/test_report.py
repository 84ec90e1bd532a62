"""Programme figures per week or month, from the real support flow and from stored rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from handlers.reports.export import csv_rows
from handlers.reports.summary import summary
from tests.hospital import Hospital
from tests.reports.rows import (
    MONDAY,
    NEXT_MONDAY,
    add_encounters,
    add_follow_ups,
    add_pulse_round,
    add_reach_in,
    add_requests,
    configure,
    report_for,
)


async def test_requests_by_urgency_and_category_per_week(hospital: Hospital) -> None:
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    asks = [("now", "adverse_event")] * 4 + [("today", "violence")] * 3 + [("week", "burnout")]
    for number, (urgency, category) in enumerate(asks):
        await hospital.ask(f"nurse{number}", urgency=urgency, category=category)
    hospital.clock.advance(days=7)
    for number in range(3):
        await hospital.ask(f"porter{number}", urgency="now", category="violence")

    first, second = (await report_for(hospital, MONDAY, NEXT_MONDAY)).periods

    assert (first.label, first.start, first.end) == ("2026-11-23", MONDAY, date(2026, 11, 29))
    assert first.requests == 8
    # "week" (1) is under the threshold; "today" (3) goes too, or 8 - 4 would give it away.
    assert first.by_urgency.cells == {"now": 4, "today": None, "week": None}
    assert first.by_category.cells == {
        "adverse_event": 4,
        "patient_death": None,
        "violence": 3,
        "complaint": None,
        "burnout": None,
        "other": None,
    }
    assert second.requests == 3
    assert second.by_urgency.cells == {"now": 3, "today": None, "week": None}
    assert second.by_category.cells["violence"] == 3


async def test_median_and_90th_percentile_minutes_to_accept(hospital: Hospital) -> None:
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    await hospital.add_peer("ana", caseload_cap=10)
    await hospital.add_peer("ben", caseload_cap=10)
    for number, (minutes, peer) in enumerate([(2, "ana"), (4, "ben"), (6, "ana"), (8, "ana")]):
        await hospital.ask(f"nurse{number}")
        hospital.clock.advance(minutes=minutes)
        await hospital.offers.accept(hospital.person(peer), hospital.offer_id(peer))
        await hospital.run_jobs()

    (week,) = (await report_for(hospital, MONDAY, MONDAY)).periods

    assert week.median_minutes_to_accept == 5.0
    assert week.p90_minutes_to_accept == 7.4  # between the 3rd and 4th of 2, 4, 6, 8 minutes


async def test_too_few_accepted_requests_give_no_times(hospital: Hospital) -> None:
    await add_requests(
        hospital.database, hospital.organisation_id, datetime(2026, 11, 24, tzinfo=UTC), 2,
        minutes_to_accept=3,
    )  # fmt: skip
    await add_requests(
        hospital.database, hospital.organisation_id, datetime(2026, 11, 24, tzinfo=UTC), 9
    )
    (week,) = (await report_for(hospital, MONDAY, MONDAY)).periods
    assert week.requests == 11
    assert week.median_minutes_to_accept is None and week.p90_minutes_to_accept is None


async def test_escalations_by_tier_reached_and_crisis_activations(hospital: Hospital) -> None:
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    tuesday = datetime(2026, 11, 24, 9, tzinfo=UTC)
    add = add_requests
    await add(hospital.database, hospital.organisation_id, tuesday, 4, escalations=1, tier_index=1)
    await add(hospital.database, hospital.organisation_id, tuesday, 3, escalations=2, tier_index=2)
    await add(hospital.database, hospital.organisation_id, tuesday, 1, escalations=3, tier_index=3)
    await add(hospital.database, hospital.organisation_id, tuesday, 3, crisis=True)
    await add(hospital.database, hospital.organisation_id, tuesday, 2, tier_index=3)  # skipped

    (week,) = (await report_for(hospital, MONDAY, MONDAY)).periods

    assert week.escalations.total == 8
    assert week.escalations.cells == {"backup": 4, "coordinator": None, "professional": None}
    assert week.crisis == 3


async def test_weeks_are_the_organisations_local_weeks(hospital: Hospital) -> None:
    await configure(
        hospital.database,
        hospital.organisation_id,
        anonymity_threshold=3,
        time_zone="America/New_York",
    )
    # Sunday 22:00 in New York is already Monday in UTC.
    sunday_night = datetime(2026, 11, 30, 3, tzinfo=UTC)
    await add_requests(hospital.database, hospital.organisation_id, sunday_night, 3)

    first, second = (await report_for(hospital, MONDAY, NEXT_MONDAY)).periods

    assert first.requests == 3 and second.requests is None


async def test_follow_up_average_needs_enough_scores(hospital: Hospital) -> None:
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    await add_follow_ups(hospital.database, hospital.organisation_id, MONDAY, [2, 5], stops=1)
    await add_follow_ups(hospital.database, hospital.organisation_id, NEXT_MONDAY, [4, 5, 3, 4])

    first, second = (await report_for(hospital, MONDAY, NEXT_MONDAY)).periods

    assert first.follow_up_answers == 3
    assert first.follow_up_average is None  # two scores are too few to average
    assert (second.follow_up_answers, second.follow_up_average) == (4, 4.0)


async def test_pulse_averages_and_their_trend(hospital: Hospital) -> None:
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    database, organisation_id = hospital.database, hospital.organisation_id
    await add_pulse_round(database, organisation_id, date(2026, 11, 16), [2, 3, 3])
    await add_pulse_round(database, organisation_id, MONDAY, [4, 4, 5, 3])
    await add_pulse_round(database, organisation_id, NEXT_MONDAY, [5, 5], status="open")

    first, second = (await report_for(hospital, MONDAY, NEXT_MONDAY)).periods

    (pulse,) = first.pulse
    # The trend of the first week compares it with the week before the report.
    assert (pulse.question, pulse.answers, pulse.average, pulse.trend) == (1, 4, 4.0, 1.33)
    assert second.pulse[0].average is None and second.pulse[0].trend is None


async def test_a_small_round_is_left_out_of_a_month(hospital: Hospital) -> None:
    """Pooled with the others, a small round's own average could be worked out."""
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    database, organisation_id = hospital.database, hospital.organisation_id
    await add_pulse_round(database, organisation_id, date(2026, 11, 2), [5, 5, 5])
    await add_pulse_round(database, organisation_id, date(2026, 11, 9), [1, 1])

    (november,) = (
        await report_for(hospital, date(2026, 11, 1), date(2026, 11, 30), "month")
    ).periods

    assert november.label == "2026-11" and november.end == date(2026, 11, 30)
    assert (november.pulse[0].answers, november.pulse[0].average) == (3, 5.0)


async def test_cases_each_peer_carried_are_counted_by_pseudonym(hospital: Hospital) -> None:
    ana = await hospital.add_peer("ana", caseload_cap=10)
    ben = await hospital.add_peer("ben", caseload_cap=10)
    for number, peer in enumerate(["ana", "ana", "ben"]):
        await hospital.ask(f"nurse{number}")
        await hospital.offers.accept(hospital.person(peer), hospital.offer_id(peer))
        await hospital.run_jobs()
    december = datetime(2026, 12, 2, tzinfo=UTC)
    await add_requests(
        hospital.database, hospital.organisation_id, december, minutes_to_accept=5, peer_id=ben
    )

    report = await report_for(hospital, date(2026, 11, 1), date(2026, 12, 31), "month")

    november, december_ = date(2026, 11, 1), date(2026, 12, 1)
    assert [(c.month, c.peer, c.cases) for c in report.caseloads] == [
        (november, f"peer:{ana}", 2),
        (november, f"peer:{ben}", 1),
        (december_, f"peer:{ben}", 1),
    ]
    text = repr(report)
    for name in ("Ana", "Ben", "Nurse0", "UANA", "UNURSE0"):
        assert name not in text


async def test_an_empty_organisation_shows_nothing_but_suppressed_figures(
    hospital: Hospital,
) -> None:
    (week,) = (await report_for(hospital, MONDAY, MONDAY)).periods
    assert week.requests is None and set(week.by_urgency.cells.values()) == {None}
    assert week.crisis is None and week.follow_up_answers is None and week.pulse == ()


async def test_kinds_of_support_are_counted_and_small_ones_suppressed(hospital: Hospital) -> None:
    """The peers' answers to "what kind of support was it?", per week, suppressed like every
    breakdown: a count under the threshold (zero included) is hidden, so the total leaves open
    which hidden kind the rest were."""
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    kinds = ["listened"] * 4 + ["practical"] * 3 + ["referred"]
    await add_encounters(hospital.database, hospital.organisation_id, MONDAY, kinds)
    await add_encounters(hospital.database, hospital.organisation_id, NEXT_MONDAY, ["group"] * 3)

    first, second = (await report_for(hospital, MONDAY, NEXT_MONDAY)).periods

    assert first.encounters.total == 8
    assert first.encounters.cells == {
        "listened": 4,
        "practical": 3,
        "referred": None,  # one answer: never shown
        "group": None,  # a zero is hidden too, so 8 - 4 - 3 cannot say which kind the 1 was
    }
    assert second.encounters.cells == {
        "listened": None,
        "practical": None,
        "referred": None,
        "group": 3,
    }


async def test_reach_ins_of_the_reported_days_come_with_their_answers_suppressed(
    hospital: Hospital,
) -> None:
    await configure(hospital.database, hospital.organisation_id, anonymity_threshold=3)
    await add_reach_in(hospital.database, hospital.organisation_id, MONDAY, reached=8, talk=4,
                       declined=1, later=1)  # fmt: skip
    await add_reach_in(hospital.database, hospital.organisation_id, date(2026, 10, 1), reached=3)

    report = await report_for(hospital, MONDAY, NEXT_MONDAY)

    [event] = report.reach_ins  # October's is outside the report's weeks
    assert (event.occurred_on, event.reached, event.talk) == (MONDAY, 8, 4)
    assert event.declined is None  # one "no thanks": under the threshold
    rows = [row for row in csv_rows(report) if row[2].startswith("reach_in.")]
    assert ("2026-11-23", "2026-11-23", "reach_in.patient_death.asked_to_talk", "4", "no") in rows
    assert ("2026-11-23", "2026-11-23", "reach_in.patient_death.no_thanks", "", "yes") in rows
    line = summary(report, "en").plain_text()
    assert "Reach-in after events: 1 in these weeks, 8 colleagues reached, 4 asked to talk" in line
