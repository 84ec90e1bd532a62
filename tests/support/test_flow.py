"""The support flow end to end through the use-case API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from handlers.core.people import Person
from handlers.support import asking, jobs
from handlers.support.asking import Submitted
from handlers.support.escalation import escalate
from handlers.support.intake import IntakeForm
from models import AuditEvent, DueJob, Offer, RequestStatus, SupportRequest, Tier
from tests.fakes import PlatformDown
from tests.hospital import Hospital


async def status_of(hospital: Hospital, request_id: str) -> SupportRequest:
    async with hospital.database.session() as session:
        request = await session.get(SupportRequest, request_id)
        assert request is not None
        return request


async def test_offers_reach_every_peer_on_call_and_show_no_identity(hospital: Hospital) -> None:
    for name in ("ana", "ben", "cara"):
        await hospital.add_peer(name)
    await hospital.ask("dana", note="It was the night shift", contact="phone")

    assert hospital.inbox("dana") == ["intake.ack"]
    ack = hospital.last("dana").message.plain_text()
    assert "within 10 minutes" in ack and "988" in ack and "export direct messages" in ack
    for name in ("ana", "ben", "cara"):
        offer = hospital.last(name, "offer").message
        text = offer.plain_text()
        assert "Adverse event or error" in text and "Phone call" in text and "Now" in text
        assert "English" in text
        assert "Dana" not in text and "UDANA" not in text and "night shift" not in text
        assert [button.label for button in offer.buttons] == ["Accept", "Decline"]
        assert offer.contact is None


async def test_first_accept_wins_and_the_other_offers_are_updated(hospital: Hospital) -> None:
    for name in ("ana", "ben", "cara"):
        await hospital.add_peer(name)
    request_id = await hospital.ask("dana", note="It was the night shift")

    view = await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert view.kind == "offer.accepted"
    assert "Dana" in view.plain_text() and "night shift" in view.plain_text()
    assert view.contact is not None and view.contact.user_id == "UDANA"
    await hospital.run_jobs()

    for name in ("ben", "cara"):
        offer = hospital.last(name, "offer")
        assert [update.kind for update in offer.updated] == ["offer.update"]
        assert "already taken" in offer.updated[0].plain_text()
        assert offer.updated[0].buttons == []
    connected = hospital.last("dana", "request.connected").message
    assert "Ana will phone you" in connected.plain_text()

    late = await hospital.offers.accept(hospital.person("ben"), hospital.offer_id("ben"))
    assert "already taken" in late.plain_text()
    request = await status_of(hospital, request_id)
    assert request.status == RequestStatus.ACCEPTED.value
    assert request.accepted_peer_id == hospital.peers["ana"]


async def test_a_double_click_gives_the_same_answer_and_one_connection(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.ask("dana")
    offer_id = hospital.offer_id("ana")
    first = await hospital.offers.accept(hospital.person("ana"), offer_id)
    second = await hospital.offers.accept(hospital.person("ana"), offer_id)
    await hospital.run_jobs()
    assert first == second
    assert hospital.inbox("dana").count("request.connected") == 1


async def test_clicks_on_the_same_offer_at_once_all_show_it_accepted(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.ask("dana")
    offer_id = hospital.offer_id("ana")
    views = await asyncio.gather(
        *(hospital.offers.accept(hospital.person("ana"), offer_id) for _ in range(3))
    )
    await hospital.run_jobs()
    assert [view.kind for view in views] == ["offer.accepted"] * 3
    assert hospital.inbox("dana").count("request.connected") == 1


async def test_concurrent_accepts_have_exactly_one_winner(hospital: Hospital) -> None:
    names = ["ana", "ben", "cara", "dan"]
    for name in names:
        await hospital.add_peer(name)
    request_id = await hospital.ask("eve")
    views = await asyncio.gather(
        *(hospital.offers.accept(hospital.person(n), hospital.offer_id(n)) for n in names)
    )
    winners = [
        name for name, view in zip(names, views, strict=True) if view.kind == "offer.accepted"
    ]
    assert len(winners) == 1
    assert all("already taken" in v.plain_text() for v in views if v.kind != "offer.accepted")
    request = await status_of(hospital, request_id)
    assert request.accepted_peer_id == hospital.peers[winners[0]]
    async with hospital.database.session() as session:
        statuses = sorted(
            await session.scalars(select(Offer.status).where(Offer.request_id == request_id))
        )
    assert statuses == ["accepted", "taken", "taken", "taken"]


async def test_someone_else_cannot_accept_an_offer(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("ben", on_call=False)
    request_id = await hospital.ask("dana")
    view = await hospital.offers.accept(hospital.person("ben"), hospital.offer_id("ana"))
    assert "meant for someone else" in view.plain_text()
    assert (await status_of(hospital, request_id)).status == RequestStatus.OPEN.value


async def test_when_everyone_declines_the_next_tier_is_asked_at_once(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("ben")
    await hospital.add_peer("bo", Tier.BACKUP)
    await hospital.ask("dana")
    view = await hospital.offers.decline(hospital.person("ana"), hospital.offer_id("ana"))
    assert "You declined" in view.plain_text() and view.buttons == []
    await hospital.run_jobs()
    assert "offer" not in hospital.inbox("bo")
    await hospital.offers.decline(hospital.person("ben"), hospital.offer_id("ben"))
    await hospital.run_jobs()
    offer = hospital.last("bo", "offer").message
    assert "As backup" in offer.plain_text()


async def test_one_at_a_time_asks_in_turn(hospital: Hospital) -> None:
    await hospital.setup(offer_mode="sequential")
    for name in ("ana", "ben", "cara"):
        await hospital.add_peer(name)
    await hospital.ask("dana")
    asked = [n for n in ("ana", "ben", "cara") if "offer" in hospital.inbox(n)]
    assert asked == ["ana"]

    await hospital.offers.decline(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.run_jobs()
    assert "offer" in hospital.inbox("ben") and "offer" not in hospital.inbox("cara")

    # Ben does not answer: after his turn (10 minutes / 2 remaining = 5) it moves to Cara.
    hospital.clock.advance(minutes=5)
    await hospital.run_jobs()
    assert "moved on" not in hospital.last("ben", "offer").message.plain_text()
    assert "passed on to others" in hospital.last("ben", "offer").updated[-1].plain_text()
    assert "offer" in hospital.inbox("cara")


async def test_one_at_a_time_asks_whoever_was_offered_least_lately_first(
    hospital: Hospital,
) -> None:
    await hospital.setup(offer_mode="sequential")
    for name in ("ana", "ben", "cara"):
        await hospital.add_peer(name)
    await hospital.ask("erin")  # nobody offered yet: Ana (the first on the roster)
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.run_jobs()
    await hospital.ask("finn")  # Ana had an offer this month: Ben first, though after her
    await hospital.run_jobs()
    assert [n for n in ("ana", "ben", "cara") if hospital.inbox(n).count("offer") == 1] == [
        "ana",
        "ben",
    ]
    await hospital.offers.decline(hospital.person("ben"), hospital.offer_id("ben"))
    await hospital.run_jobs()
    assert hospital.inbox("cara").count("offer") == 1  # then Cara, still before Ana again
    assert hospital.inbox("ana").count("offer") == 1


async def test_unanswered_requests_escalate_tier_by_tier(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("bo", Tier.BACKUP)
    await hospital.add_peer("cy", Tier.COORDINATOR)
    await hospital.add_peer("pat", Tier.PROFESSIONAL)
    request_id = await hospital.ask("dana")
    assert "offer" in hospital.inbox("ana") and "offer" not in hospital.inbox("bo")

    hospital.clock.advance(minutes=9)
    await hospital.run_jobs()
    assert "offer" not in hospital.inbox("bo")
    hospital.clock.advance(minutes=1)
    await hospital.run_jobs()
    assert "offer" in hospital.inbox("bo")
    hospital.clock.advance(minutes=10)
    await hospital.run_jobs()
    assert "offer" in hospital.inbox("cy")
    hospital.clock.advance(minutes=10)
    await hospital.run_jobs()
    assert "offer" in hospital.inbox("pat")
    hospital.clock.advance(minutes=10)
    await hospital.run_jobs()
    assert "coordinator.alert" in hospital.inbox("cy")
    assert "Nobody has been able" in hospital.last("dana").message.plain_text()
    assert (await status_of(hospital, request_id)).escalations == 4

    # Late, the first peer can still accept: the earlier offers stay open.
    view = await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert view.kind == "offer.accepted"


async def test_an_accepted_request_does_not_escalate(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("bo", Tier.BACKUP)
    await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    hospital.clock.advance(hours=2)
    await hospital.run_jobs()
    assert "offer" not in hospital.inbox("bo")


async def test_a_restart_between_offer_and_timeout_still_escalates(hospital: Hospital) -> None:
    from tests.hospital import build_hospital

    await hospital.add_peer("ana")
    await hospital.add_peer("bo", Tier.BACKUP)
    await hospital.ask("dana")
    # A new process: new engine, service and messengers; only the database carries over.
    restarted = build_hospital(hospital.database, hospital.clock)
    restarted.people, restarted.peers = hospital.people, hospital.peers
    restarted.organisation_id = hospital.organisation_id
    hospital.clock.advance(minutes=10)
    assert await restarted.run_jobs() >= 1
    assert "offer" in restarted.inbox("bo")


async def test_nobody_on_call_tells_the_coordinator_and_the_requester(hospital: Hospital) -> None:
    await hospital.add_peer("ana", on_call=False)
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.ask("dana")
    assert hospital.inbox("cy") == ["coordinator.alert"]
    assert "nobody eligible is on call" in hospital.last("cy").message.plain_text()
    assert hospital.inbox("dana") == ["intake.ack", "notice"]
    assert "coordinator has been told" in hospital.last("dana").message.plain_text()


async def test_a_crisis_answer_reaches_the_professional_tier_at_once(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("pat", Tier.PROFESSIONAL)
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.ask("dana", crisis=True)
    ack = hospital.last("dana", "intake.ack").message.plain_text()
    assert "A professional and a trained peer supporter are being asked now" in ack
    assert ack.startswith("If you are in danger") and "988" in ack  # the crisis lines first
    assert "offer" in hospital.inbox("ana")
    professional_offer = hospital.last("pat", "offer").message.plain_text()
    assert "needs professional support" in professional_offer
    assert "at risk of harming themselves" in professional_offer
    assert "coordinator.alert" in hospital.inbox("cy")


async def test_spanish_speakers_get_spanish_and_spanish_crisis_lines(hospital: Hospital) -> None:
    await hospital.setup(country="ES")
    await hospital.add_peer("ana")
    hospital.person("dana", locale="es-ES")
    await hospital.ask("dana", language="es")
    ack = hospital.last("dana", "intake.ack").message.plain_text()
    assert "He recibido tu solicitud" in ack and "024" in ack


@pytest.mark.parametrize(
    ("country", "line"),
    [("US", "988"), ("ES", "024"), ("GB", "116 123"), ("IE", "1800 247 247")],
)
async def test_every_shipped_country_has_its_crisis_lines(
    hospital: Hospital, country: str, line: str
) -> None:
    await hospital.setup(country=country)
    await hospital.ask("dana", crisis=True)
    ack = hospital.last("dana", "intake.ack").message.plain_text()
    assert line in ack
    assert (country == "US") == ("988" in ack)  # never another country's lines


async def test_an_organisations_own_crisis_lines_replace_the_defaults(hospital: Hospital) -> None:
    own = [{"name": "Hospital psychology", "contact": "ext. 4455", "verified_on": "2026-11-01"}]
    await hospital.setup(country="US", crisis_resources=own)
    await hospital.ask("dana")
    ack = hospital.last("dana", "intake.ack").message.plain_text()
    assert "Hospital psychology" in ack and "ext. 4455" in ack and "988" not in ack
    fallback = await hospital.requests.fallback(hospital.person("dana"))
    assert "ext. 4455" in fallback.plain_text()  # the organisation's own, kept in memory
    stranger = Person(platform="slack", tenant_id="T0ELSEWHERE", user_id="UX")
    assert "988" in (await hospital.requests.fallback(stranger)).plain_text()  # never seen


async def test_anonymous_relay_both_ways_without_names(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.ask("dana", anonymous=True, note="private words")
    view = await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert "Dana" not in view.plain_text() and "UDANA" not in view.plain_text()
    assert "private words" in view.plain_text()  # the note, free of identifiers, is passed on
    assert view.contact is None
    await hospital.run_jobs()
    connected = hospital.last("dana", "request.connected").message
    assert "Ana" not in connected.plain_text() and connected.contact is None

    sent = await hospital.relay.pass_on(hospital.person("dana"), "Thank you for answering")
    assert sent is not None and "Passed on" in sent.answer.plain_text()
    await hospital.run_jobs()
    relayed = hospital.last("ana", "relay").message
    assert relayed.lines == ["Thank you for answering"]
    assert "Dana" not in relayed.plain_text()

    await hospital.relay.pass_on(hospital.person("ana"), "Would a call at 5 suit you?")
    await hospital.run_jobs()
    back = hospital.last("dana", "relay").message
    assert back.lines == ["Would a call at 5 suit you?"] and "Ana" not in back.plain_text()


async def test_a_peer_with_two_anonymous_cases_must_name_the_case(hospital: Hospital) -> None:
    await hospital.add_peer("ana", caseload_cap=2)
    dana_case = await hospital.ask("dana", anonymous=True)
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    hospital.clock.advance(minutes=1)
    await hospital.ask("erin", anonymous=True)
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.run_jobs()
    dana_ref = dana_case[:6].upper()

    unsure = await hospital.relay.pass_on(hospital.person("ana"), "Meant for Dana")
    assert unsure is not None and unsure.request_id is None
    assert "more than one anonymous conversation" in unsure.answer.plain_text()
    assert dana_ref in unsure.answer.plain_text()
    await hospital.relay.pass_on(hospital.person("ana"), f"#{dana_ref} Meant for Dana")
    await hospital.run_jobs()
    assert "relay" not in hospital.inbox("erin")
    assert hospital.last("dana", "relay").message.lines == ["Meant for Dana"]

    # Each requester has one case: no reference needed on their side.
    sent = await hospital.relay.pass_on(hospital.person("erin"), "Hello")
    assert sent is not None and "Passed on" in sent.answer.plain_text()


async def test_relay_needs_an_anonymous_case(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert await hospital.relay.pass_on(hospital.person("dana"), "hello") is None


async def test_withdraw_before_accept_closes_every_offer(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("bo", Tier.BACKUP)
    request_id = await hospital.ask("dana")
    view = await hospital.cases.withdraw(hospital.person("dana"), request_id)
    assert "withdrawn" in view.plain_text()
    await hospital.run_jobs()
    assert "withdrawn this request" in hospital.last("ana", "offer").updated[-1].plain_text()
    hospital.clock.advance(hours=1)
    await hospital.run_jobs()
    assert "offer" not in hospital.inbox("bo")
    late = await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert "withdrawn" in late.plain_text()
    again = await hospital.cases.withdraw(hospital.person("dana"), request_id)
    assert "already closed" in again.plain_text()


async def test_withdraw_after_accept_tells_the_peer(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.withdraw(hospital.person("dana"), request_id)
    await hospital.run_jobs()
    assert "has withdrawn the request" in hospital.last("ana").message.plain_text()


async def test_only_the_requester_can_withdraw(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    view = await hospital.cases.withdraw(hospital.person("ana"), request_id)
    assert "belongs to someone else" in view.plain_text()
    assert (await status_of(hospital, request_id)).status == RequestStatus.OPEN.value


async def test_the_peer_closes_and_follow_ups_are_scheduled(hospital: Hospital) -> None:
    await hospital.setup(time_zone="Europe/Madrid", follow_up_offsets_days=[1, 3])
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    view = await hospital.cases.close(hospital.person("ana"), request_id)
    assert "closed" in view.plain_text()
    await hospital.run_jobs()
    assert "closed the case" in hospital.last("dana").message.plain_text()
    async with hospital.database.session() as session:
        jobs = list(
            await session.scalars(
                select(DueJob).where(DueJob.kind == "follow_up").order_by(DueJob.run_at)
            )
        )
    # Closed 2026-11-23 15:00 in Madrid: check-ins on the 24th and 26th at 10:00 local (09:00 UTC).
    assert [job.run_at.isoformat() for job in jobs] == [
        "2026-11-24T09:00:00+00:00",
        "2026-11-26T09:00:00+00:00",
    ]
    assert (await status_of(hospital, request_id)).status == RequestStatus.CLOSED.value
    again = await hospital.cases.close(hospital.person("dana"), request_id)
    assert "already closed" in again.plain_text()


async def test_the_requester_closes_and_the_peer_is_told(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("dana"), request_id)
    await hospital.run_jobs()
    assert "has closed the case" in hospital.last("ana", "notice").message.plain_text()
    assert (
        "How are you after this case?"
        in hospital.last("ana", "peer.wellbeing").message.plain_text()
    )


async def test_every_access_is_audited_by_pseudonym(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("ben")
    request_id = await hospital.ask("dana")
    await hospital.offers.decline(hospital.person("ben"), hospital.offer_id("ben"))
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    async with hospital.database.session() as session:
        events = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.request_id == request_id)
                .order_by(AuditEvent.id)
            )
        )
    ana = f"peer:{hospital.peers['ana']}"
    ben = f"peer:{hospital.peers['ben']}"
    trail = [(event.actor, event.action) for event in events]
    assert trail == [
        ("requester", "requested"),
        (ana, "offer_shown"),
        (ben, "offer_shown"),
        (ben, "declined"),
        (ana, "accepted"),
        (ana, "identity_revealed"),
        (ana, "closed"),
    ]


async def test_escalation_alerts_and_withdrawal_are_audited(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("bea", Tier.BACKUP)
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("cole", Tier.COORDINATOR, on_call=False)
    request_id = await hospital.ask("dana")
    for _ in range(3):  # "now" waits 10 minutes per tier
        hospital.clock.advance(minutes=11)
        await hospital.run_jobs()
    await hospital.cases.withdraw(hospital.person("dana"), request_id)
    async with hospital.database.session() as session:
        events = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.request_id == request_id)
                .order_by(AuditEvent.id)
            )
        )
    ana, bea, cy, cole = (f"peer:{hospital.peers[name]}" for name in ("ana", "bea", "cy", "cole"))
    assert [(event.actor, event.action) for event in events] == [
        ("requester", "requested"),
        (ana, "offer_shown"),
        ("system", "escalated"),
        (bea, "offer_shown"),
        ("system", "escalated"),
        (cy, "coordinator_alerted"),  # each coordinator who saw it, one by one
        (cole, "coordinator_alerted"),
        (cy, "coordinator_alerted"),  # still nobody, one timeout later: told again
        (cole, "coordinator_alerted"),
        ("requester", "withdrawn"),
    ]


async def test_an_escalation_that_lost_the_race_with_an_accept_does_nothing(
    hospital: Hospital,
) -> None:
    """A worker picked the escalation up just as the peer accepted (or a decline moved the
    request on): when it runs, it finds the step is no longer current and changes nothing."""
    await hospital.add_peer("ana")
    await hospital.add_peer("bea", Tier.BACKUP)
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.run_jobs()
    before = hospital.inbox("bea"), await hospital.count(AuditEvent)
    async with hospital.database.session() as session, session.begin():
        outcome = await escalate(session, request_id, 0, hospital.clock())
    assert outcome == "not current: request no longer open"
    await hospital.run_jobs()
    assert (hospital.inbox("bea"), await hospital.count(AuditEvent)) == before

    other = await hospital.ask("erin")
    async with hospital.database.session() as session, session.begin():
        request = await session.get(SupportRequest, other)
        assert request is not None
        request.tier_index = 1  # it moved on to the backup tier meanwhile
    async with hospital.database.session() as session, session.begin():
        assert await escalate(session, other, 0, hospital.clock()) == (
            "not current: already moved on"
        )


async def test_a_failed_send_is_retried_and_sent_once(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    hospital.slack.failures_to_inject = 1
    await hospital.ask("dana")
    # the platform answered 503 to the first send: one of the two is still to come
    assert sorted(hospital.inbox("ana") + hospital.inbox("dana")) in (["intake.ack"], ["offer"])
    hospital.clock.advance(seconds=5)
    await hospital.run_jobs()
    assert hospital.inbox("ana") == ["offer"]
    assert hospital.inbox("dana") == ["intake.ack"]


async def test_a_delivery_given_up_is_reported_to_the_coordinator(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False, platform="teams")
    hospital.slack.failures_to_inject = 1000  # Slack is down for good; the coordinator is on Teams
    await hospital.ask("dana")
    for _ in range(12):
        hospital.clock.advance(minutes=15)
        await hospital.run_jobs()
    reports = [
        item.message for item in hospital.teams.to("UCY") if item.message.kind == "job.failed"
    ]
    # The requester's acknowledgement, Ana's offer, the "still looking" notice after escalation,
    # and the same notice again at each of the three timeouts after it.
    assert len(reports) == 6
    for report in reports:
        text = report.plain_text()
        assert "(deliver) failed after several attempts" in text
        assert "Dana" not in text and "UDANA" not in text


async def test_the_peer_is_asked_how_they_are_and_can_ask_for_a_debrief(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    await hospital.run_jobs()
    question = hospital.last("ana", "peer.wellbeing").message
    assert [b.action for b in question.buttons] == ["peer.ok", "peer.debrief"]
    assert "checkin" not in hospital.inbox("ana")
    view = await hospital.cases.peer_wellbeing(hospital.person("ana"), request_id, True)
    assert "arrange a debrief" in view.plain_text()
    await hospital.run_jobs()
    alert = hospital.last("cy", "coordinator.debrief").message
    assert "Ana" in alert.plain_text() and "Dana" not in alert.plain_text()
    refused = await hospital.cases.peer_wellbeing(hospital.person("dana"), request_id, True)
    assert "belongs to someone else" in refused.plain_text()


async def test_a_database_failure_still_answers_and_the_request_is_retried(
    hospital: Hospital, monkeypatch: pytest.MonkeyPatch
) -> None:
    await hospital.add_peer("ana")
    real = hospital.requests.request_support
    attempts = 0

    async def down_once(person: Person, form: IntakeForm, key: str | None = None) -> Submitted:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise OperationalError("INSERT", {}, ConnectionRefusedError("database down"))
        return await real(person, form, key)

    monkeypatch.setattr(hospital.requests, "request_support", down_once)
    monkeypatch.setattr("handlers.support.asking.SUBMIT_RETRY_DELAYS", (0.01,))
    form = IntakeForm(urgency="now", category="violence", contact="chat")
    answer = await hospital.requests.submit(hospital.person("dana"), form)
    assert answer.kind == "intake.failed"
    assert "988" in answer.plain_text() and "keep trying" in answer.plain_text()
    for _ in range(100):
        if await hospital.count(SupportRequest):
            break
        await asyncio.sleep(0.02)
    assert await hospital.count(SupportRequest) == 1
    await hospital.run_jobs()
    assert hospital.inbox("dana") == ["intake.ack"] and hospital.inbox("ana") == ["offer"]


async def test_a_roster_failure_leaves_no_half_request_and_is_retried(
    hospital: Hospital, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await hospital.add_peer("ana")
    real = asking.schedule_routing
    failed = False

    async def broken_once(*args: object) -> None:
        nonlocal failed
        if not failed:
            failed = True
            raise RuntimeError("roster bug, quoting private words")
        await real(*args)

    monkeypatch.setattr(asking, "schedule_routing", broken_once)
    monkeypatch.setattr(asking, "SUBMIT_RETRY_DELAYS", (0.05,))
    form = IntakeForm(urgency="now", category="violence", contact="chat", note="private words")
    answer = await hospital.requests.submit(hospital.person("dana"), form)
    assert answer.kind == "intake.failed" and "988" in answer.plain_text()
    assert await hospital.count(SupportRequest) == 0  # the failed attempt left nothing behind
    for _ in range(100):
        if await hospital.count(SupportRequest):
            break
        await asyncio.sleep(0.02)
    assert await hospital.count(SupportRequest) == 1
    await hospital.run_jobs()
    assert hospital.inbox("ana") == ["offer"]
    assert "private words" not in caplog.text and "RuntimeError" in caplog.text


async def test_a_routing_failure_is_retried_by_the_worker(
    hospital: Hospital, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The first offers are a due job: a bug or an outage while routing leaves the request
    stored and acknowledged, and the job is run again moments later."""
    await hospital.add_peer("ana")
    real = jobs.route_new
    failed = False

    async def broken_once(*args: object) -> str:
        nonlocal failed
        if not failed:
            failed = True
            raise RuntimeError("roster bug, quoting private words")
        return await real(*args)

    monkeypatch.setattr(jobs, "route_new", broken_once)
    await hospital.ask("dana", note="private words")
    assert hospital.inbox("dana") == ["intake.ack"] and hospital.inbox("ana") == []
    hospital.clock.advance(minutes=1)
    await hospital.run_jobs()
    assert hospital.inbox("ana") == ["offer"]
    await hospital.run_jobs()  # run twice, offered once
    assert hospital.inbox("ana") == ["offer"]
    assert "private words" not in caplog.text and "RuntimeError" in caplog.text


async def test_an_update_retried_after_a_later_one_does_not_bring_back_the_past(
    hospital: Hospital,
) -> None:
    """A rate-limited update of the acknowledgement, retried after a later one went through,
    is skipped: what the person reads is what is true now."""
    await hospital.add_peer("ana")
    await hospital.add_peer("bea", Tier.BACKUP)
    await hospital.ask("dana")
    hospital.slack.failures_to_inject = 0
    hospital.clock.advance(minutes=11)  # the step to the backup tier updates the ack...
    original_update = hospital.slack.update

    async def refuse_once(*args, **kwargs):  # ...but Slack refuses that update once
        hospital.slack.update = original_update
        raise PlatformDown()

    hospital.slack.update = refuse_once  # type: ignore[method-assign]
    await hospital.run_jobs()
    await hospital.offers.accept(hospital.person("bea"), hospital.offer_id("bea"))
    hospital.clock.advance(minutes=1)
    await hospital.run_jobs()  # the "accepted" update, then the retried older one
    ack = hospital.last("dana", "intake.ack")
    assert ack.updated[-1].status is not None and "has accepted" in ack.updated[-1].status
