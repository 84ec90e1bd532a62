"""Someone at risk, on Slack end to end: risk typed in a DM (with no request, with one waiting,
in an anonymous case, in a named one), in the form's note or its box; crisis lines that are never
taken away; the requester kept informed; the coordinator's "I will make contact"; and the
organisation's own lines with the database down."""

from __future__ import annotations

import copy
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from handlers.roster.admin import RosterAdmin
from models import AuditEvent, Base, DueJob, Organisation, Peer, SupportRequest, Tier
from tests.fakes import database_down
from tests.slack.conftest import FORM, Posted, SlackWorld, text_of

RISK = "I am thinking of harming myself"


def crisis_block(posted: Posted) -> dict[str, Any] | None:
    return next((block for block in posted.blocks if block.get("block_id") == "crisis"), None)


def shows_crisis_first(blocks: list[dict[str, Any]]) -> bool:
    """The crisis lines come before anything else (a title at most)."""
    first = [block for block in blocks if block["type"] != "header"][0]
    return first.get("block_id") == "crisis"


async def ask(slack: SlackWorld, name: str, **answers: Any) -> dict[str, Any]:
    await slack.command(name)
    answer = await slack.submit(name, {**FORM, **answers})
    await slack.run_jobs()
    return answer


async def requests(slack: SlackWorld) -> list[SupportRequest]:
    async with slack.runtime.database.session() as session:
        return list(await session.scalars(select(SupportRequest)))


async def hospital(slack: SlackWorld, **settings: Any) -> None:
    await slack.make_peer("pia")
    await slack.make_peer("bea", Tier.BACKUP)
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await slack.make_peer("pat", Tier.PROFESSIONAL)
    if settings:
        async with slack.runtime.database.session() as session, session.begin():
            await session.execute(update(Organisation).values(**settings))


async def raw_database_values(slack: SlackWorld) -> str:
    values: list[str] = []
    async with slack.runtime.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            values += [str(value) for row in rows for value in row]
    return "\n".join(values)


async def test_risk_typed_with_no_request_gets_crisis_lines_and_a_professional_now(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    await hospital(slack)
    answer = await slack.say("rita", "i'm   THINKING of harming myself tonight")
    assert shows_crisis_first(answer.blocks)
    assert "988" in answer.readable  # the organisation's lines, at once
    assert "contact you now" in answer.readable

    await slack.run_jobs()
    [request] = await requests(slack)
    assert request.crisis and request.urgency == "now" and request.anonymous
    [pat_offer] = slack.offers("pat")  # the professional tier, at once
    assert "Crisis request" in pat_offer.readable and "Rita" not in pat_offer.readable
    assert slack.offers("pia")  # and the peers on call
    assert any("risk answer" in m.readable for m in slack.inbox("cy"))  # coordinator alerted
    [ack] = [m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]
    assert shows_crisis_first(ack.blocks)  # the request, which she can call off in one click

    async with slack.runtime.database.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.request_id == request.id)
            )
        )
    assert "risk_disclosed" in actions
    assert "harming myself" not in await raw_database_values(slack)  # never stored
    assert "harming myself" not in caplog.text  # never logged


async def test_the_same_message_delivered_twice_makes_one_request(slack: SlackWorld):
    await hospital(slack)
    event = slack.dm_event("rita", RISK)
    await slack.event(event)
    await slack.event(event, event_id="Ev-other-delivery")  # the same message, a new event id
    await slack.run_jobs()
    assert len(await requests(slack)) == 1


async def test_risk_typed_while_a_request_waits_makes_it_urgent_at_once(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita", urgency="week")
    [ack] = slack.inbox("rita")
    assert slack.offers("pat") == []
    answer = await slack.say("rita", "Honestly I want to end my life")
    assert shows_crisis_first(answer.blocks) and "now urgent" in answer.readable

    await slack.run_jobs()
    [request] = await requests(slack)
    assert request.crisis and request.urgency == "now"
    [pat_offer] = slack.offers("pat")
    assert "Crisis request" in pat_offer.readable
    now_ack = slack.now(ack)
    assert "now urgent" in now_ack.readable and crisis_block(now_ack)  # updated, lines kept
    async with slack.runtime.database.session() as session:
        step = await session.scalar(
            select(DueJob).where(DueJob.idempotency_key == f"escalate:{request.id}:0")
        )
    assert step is not None and step.run_at <= slack.clock() + timedelta(minutes=10)


async def test_spanish_risk_in_an_anonymous_case_is_passed_on_flagged(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita", contact="chat", options=["anonymous"])
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()

    answer = await slack.say("rita", "Estoy pensando en hacerme daño")
    assert shows_crisis_first(answer.blocks) and "Passed on" in answer.readable
    await slack.run_jobs()
    relayed = slack.inbox("pia")[-1]
    assert "Estoy pensando en hacerme daño" in relayed.readable
    assert "⚠" in relayed.readable and crisis_block(relayed)  # flagged, lines to share
    assert "Rita" not in relayed.readable and "URITA" not in relayed.readable
    [alert] = [m for m in slack.inbox("pat") if "possible risk" in m.readable]
    assert "<@UPIA>" in alert.readable  # the professional reaches the peer, not Rita
    assert "Rita" not in alert.readable and "URITA" not in alert.readable


async def test_risk_in_a_named_case_tells_the_peer_what_to_do(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()

    answer = await slack.say("rita", "there's no reason to live")
    assert "peer supporter and the professional on call have been told" in answer.readable
    await slack.run_jobs()
    [peer_alert] = [m for m in slack.inbox("pia") if "may be at risk" in m.readable]
    assert "Ask them directly" in peer_alert.readable and crisis_block(peer_alert)
    assert any("possible risk" in m.readable for m in slack.inbox("pat"))
    # A second message a minute later is answered again, without a second round of alerts.
    slack.clock.advance(minutes=1)
    await slack.say("rita", "I want to die")
    await slack.run_jobs()
    assert len([m for m in slack.inbox("pia") if "may be at risk" in m.readable]) == 1


async def test_risk_words_in_the_note_make_a_crisis_request(slack: SlackWorld):
    await hospital(slack)
    answer = await ask(slack, "rita", urgency="week", note="since then I feel suicidal")
    assert shows_crisis_first(answer["view"]["blocks"])  # the modal's answer itself
    [request] = await requests(slack)
    assert request.crisis and request.urgency == "now"
    assert slack.offers("pat")


async def test_a_crisis_answer_means_now_whatever_was_picked(slack: SlackWorld):
    await hospital(slack)
    answer = await ask(slack, "rita", urgency="today", crisis=["crisis"])
    assert shows_crisis_first(answer["view"]["blocks"])
    [ack] = slack.inbox("rita")
    assert shows_crisis_first(ack.blocks)
    assert "within 10 minutes" in ack.readable and "today" not in ack.readable.lower()
    [offer] = slack.offers("pia")
    assert "When*\nNow" in offer.readable
    slack.clock.advance(minutes=11)  # "now" escalates after 10 minutes, not today's 60
    await slack.run_jobs()
    assert slack.offers("bea")


async def test_closing_a_case_keeps_the_crisis_lines_of_the_acknowledgement(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita")
    [ack] = slack.inbox("rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    assert "has accepted" in slack.now(ack).readable
    accepted = slack.now(offer)
    await slack.click("pia", accepted, "request.close")
    await slack.run_jobs()
    closed = slack.now(ack)
    assert crisis_block(closed) and "988" in closed.readable  # the lines stay
    assert "is closed" in closed.readable and closed.action_ids == []
    peer_card = slack.now(offer)
    assert "is closed" in peer_card.readable and peer_card.action_ids == []  # no dead button


async def test_withdraw_on_the_acknowledgement_never_replaces_it(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita")
    [ack] = slack.inbox("rita")
    updates = slack.api.called("chat.update")
    await slack.click("rita", ack, "request.withdraw")
    assert slack.api.called("chat.update") == updates  # the click did not overwrite it
    assert "withdrawn" in slack.inbox("rita")[-1].readable  # its answer came below
    await slack.run_jobs()
    now = slack.now(ack)
    assert crisis_block(now) and "withdrawn" in now.readable and now.action_ids == []


async def test_the_requester_hears_of_every_step_with_the_organisations_timeout(
    slack: SlackWorld,
):
    await hospital(slack, timeout_now_minutes=15)
    help_text = text_of((await slack.say("rita", "help")).blocks)
    assert "within 15 minutes" in help_text
    await ask(slack, "rita")
    [ack] = [m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]
    assert "within 15 minutes" in ack.readable
    slack.clock.advance(minutes=16)
    await slack.run_jobs()
    [update_] = [m for m in slack.inbox("rita") if "asking more colleagues" in m.readable]
    assert crisis_block(update_)  # "use the contacts below": they are below
    assert "backup" not in update_.readable.lower() and "tier" not in update_.readable.lower()
    assert "more colleagues have been asked" in slack.now(ack).readable


async def test_a_coordinator_makes_contact_from_the_alert(slack: SlackWorld):
    cy_id = await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await slack.make_peer("cole", Tier.COORDINATOR, on_call=False)
    await ask(slack, "rita")  # nobody on call: the coordinators are alerted at once
    [cy_alert] = [m for m in slack.inbox("cy") if "request.take" in m.action_ids]
    [cole_alert] = [m for m in slack.inbox("cole") if "request.take" in m.action_ids]
    cole_as_sent = copy.deepcopy(cole_alert)
    await slack.click("cy", cy_alert, "request.take")
    taken = slack.now(cy_alert)
    assert "You accepted this request" in taken.readable and "<@URITA>" in taken.readable
    await slack.run_jobs()
    assert "has accepted" in slack.inbox("rita")[-1].readable
    cole_now = slack.now(cole_alert)
    assert "Taken" in cole_now.readable and cole_now.action_ids == []
    await slack.click("cole", cole_as_sent, "request.take")  # too late: nothing changes
    [request] = await requests(slack)
    assert request.accepted_peer_id == cy_id
    assert "Taken" in slack.now(cole_alert).readable
    async with slack.runtime.database.session() as session:
        trail = list(await session.scalars(select(AuditEvent.action)))
    assert "accepted" in trail


async def test_alerts_say_taken_once_a_peer_accepts(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await ask(slack, "rita", crisis=["crisis"])  # the coordinators hear of crisis requests
    [alert] = [m for m in slack.inbox("cy") if "request.take" in m.action_ids]
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    now = slack.now(alert)
    assert "Taken" in now.readable and now.action_ids == []


async def test_database_down_a_british_hospital_still_shows_its_own_lines(slack: SlackWorld):
    await hospital(slack, country="GB")
    await slack.runtime.core.known.load()  # what every web process does when it starts
    await slack.command("rita")
    with database_down(slack.runtime.database):
        answer = await slack.submit("rita", {**FORM, "crisis": ["crisis"]})
        typed = await slack.say("rita", RISK)
    try:
        shown = text_of(answer["view"])
        assert "999" in shown and "Samaritans" in shown and "988" not in shown
        [told] = [m for m in slack.inbox("rita") if "could not be saved yet" in m.readable]
        assert "999" in told.readable and "988" not in told.readable
        assert shows_crisis_first(typed.blocks)
        assert "Samaritans" in typed.readable and "988" not in typed.readable
    finally:
        for task in [*slack.runtime.requests._retries, *slack.runtime.disclosures._retries]:
            task.cancel()


async def test_database_down_a_workspace_never_seen_gets_the_default_lines(slack: SlackWorld):
    slack.team = "T0NEWPLACE"
    with database_down(slack.runtime.database):
        typed = await slack.say("rita", RISK)
    for task in slack.runtime.disclosures._retries:
        task.cancel()
    assert "988" in typed.readable  # DEFAULT_COUNTRY: the only lines it can know


async def test_anonymous_mode_talks_here_and_asks_no_number(slack: SlackWorld):
    await hospital(slack)
    await slack.command("rita")
    refused = await slack.submit("rita", {**FORM, "contact": "phone", "options": ["anonymous"]})
    assert refused["response_action"] == "errors" and "choose Chat" in refused["errors"]["contact"]
    assert await requests(slack) == []
    # At risk, nobody is sent back to the form: it goes through, as a chat.
    answer = await slack.submit(
        "rita",
        {**FORM, "contact": "phone", "options": ["anonymous"], "crisis": ["crisis"]},
    )
    assert answer["response_action"] == "update"
    [request] = await requests(slack)
    assert request.contact == "chat" and request.contact_number is None


async def test_a_phone_number_reaches_the_accepting_peer_only(slack: SlackWorld):
    await hospital(slack)
    await slack.command("rita")
    bad = await slack.submit("rita", {**FORM, "phone": "call me maybe"})
    assert bad["response_action"] == "errors" and "phone number" in bad["errors"]["phone"]
    await ask(slack, "rita", phone="+44 20 7946 0958", note="after the arrest")
    offers = slack.offers("pia") + slack.offers("bea")
    assert offers and all("7946 0958" not in offer.readable for offer in offers)
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    accepted = slack.now(offer)
    assert "+44 20 7946 0958" in accepted.readable and "Please phone" in accepted.readable
    assert "7946 0958" not in await raw_database_values(slack)  # encrypted at rest


async def test_risk_written_by_the_peer_of_an_anonymous_case(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita", contact="chat", options=["anonymous"])
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()

    answer = await slack.say("pia", "Are you having thoughts of suicide?")
    assert shows_crisis_first(answer.blocks) and "Passed on" in answer.readable
    assert "If they are about the person you support" in answer.readable
    await slack.run_jobs()
    relayed = slack.inbox("rita")[-1]
    assert "thoughts of suicide" in relayed.readable and crisis_block(relayed)
    assert "⚠" not in relayed.readable  # a question to her, not a warning about her
    [alert] = [m for m in slack.inbox("pat") if "possible risk" in m.readable]
    assert "peer supporter of case" in alert.readable and "<@UPIA>" in alert.readable
    assert len(await requests(slack)) == 1  # no request made for the peer


async def test_an_organisations_own_phrase_raises_the_alarm(slack: SlackWorld):
    await hospital(slack)
    async with slack.runtime.database.session() as session:
        organisation = await session.scalar(select(Organisation))
    assert organisation is not None
    admin = RosterAdmin(slack.runtime.database)
    await admin.risk_phrases(None, organisation.id, add=("going to the bridge",))
    answer = await slack.say("rita", "After tonight I'm GOING to the  bridge")
    assert shows_crisis_first(answer.blocks)
    await slack.run_jobs()
    assert slack.offers("pat")


async def test_risk_typed_after_the_slash_command_is_answered_in_the_dm(slack: SlackWorld):
    await hospital(slack)
    response = await slack.command("rita", "I can't go on like this")
    assert response.status == 200
    assert slack.api.called("views.open") == []  # not a form to fill in first
    [answer] = slack.inbox("rita")
    assert shows_crisis_first(answer.blocks) and "988" in answer.readable
    await slack.run_jobs()
    assert slack.offers("pat")


async def test_a_crisis_only_a_professional_can_take_still_moves_on(slack: SlackWorld):
    """At night only the professional is on call: if they do not answer in time, the
    coordinators are alerted and the requester told, as for any other step."""
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await slack.make_peer("pat", Tier.PROFESSIONAL)
    await slack.say("rita", "I want to end my life")
    await slack.run_jobs()
    assert slack.offers("pat")
    slack.clock.advance(minutes=11)
    await slack.run_jobs()
    assert any("Every tier has been asked" in m.readable for m in slack.inbox("cy"))
    assert any("Nobody has been able to take" in m.readable for m in slack.inbox("rita"))


async def test_while_everyone_has_been_asked_they_are_told_again_and_again(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await ask(slack, "rita")  # nobody on call at all
    times = []
    for _ in range(6):
        async with slack.runtime.database.session() as session:
            step = await session.scalar(
                select(DueJob).where(DueJob.kind == "chase", DueJob.status == "pending")
            )
        assert step is not None  # never silent: there is always a next time
        times.append(step.run_at)
        slack.clock.now = step.run_at
        await slack.run_jobs()
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] == timedelta(minutes=10) and gaps[-1] > gaps[0]  # then further apart
    told = [m for m in slack.inbox("rita") if "Nobody has been able to take" in m.readable]
    assert len(told) == 6  # after "nobody is on call", at every step


async def test_risk_words_on_a_request_being_chased_bring_the_next_step_forward(
    slack: SlackWorld,
):
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await ask(slack, "rita", urgency="week")  # nobody on call: told again in 24 hours
    await slack.say("rita", "I want to die")
    async with slack.runtime.database.session() as session:
        step = await session.scalar(select(DueJob).where(DueJob.kind == "chase"))
    assert step is not None and step.run_at <= slack.clock() + timedelta(minutes=10)
    answer = slack.inbox("rita")[-1]
    assert "coordinator has been told" in answer.readable  # no professional: not claimed


async def test_the_coordinator_who_made_contact_keeps_the_case(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await ask(slack, "rita")
    [alert] = [m for m in slack.inbox("cy") if "request.take" in m.action_ids]
    await slack.click("cy", alert, "request.take")
    await slack.run_jobs()
    card = slack.now(alert)
    assert "You accepted this request" in card.readable and "request.close" in card.action_ids
    await slack.click("cy", card, "request.close")
    await slack.run_jobs()
    card = slack.now(alert)
    assert "is closed" in card.readable and card.action_ids == []


async def test_a_coordinator_cannot_take_their_own_request_or_one_from_their_unit(
    slack: SlackWorld,
):
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await slack.make_peer("cole", Tier.COORDINATOR, on_call=False)
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(update(Peer).where(Peer.tier == "coordinator").values(unit="ICU"))
    await ask(slack, "cy")  # a coordinator asks for support themself
    assert not [m for m in slack.inbox("cy") if "request.take" in m.action_ids]
    await ask(slack, "rita", options=["exclude_own_unit"], unit="icu")
    [alert] = [m for m in slack.inbox("cole") if "request.take" in m.action_ids][-1:]
    await slack.click("cole", alert, "request.take")
    refused = slack.now(alert)
    assert "outside their own unit" in refused.readable
    rita = [r for r in await requests(slack) if r.exclude_own_unit]
    assert rita[0].accepted_peer_id is None


async def test_a_second_disclosure_after_a_peer_accepts_reaches_that_peer(slack: SlackWorld):
    await hospital(slack)
    await ask(slack, "rita")
    await slack.say("rita", "I want to kill myself")  # while waiting: made urgent
    await slack.run_jobs()
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    slack.clock.advance(minutes=5)
    await slack.say("rita", "I am going to kill myself tonight")
    await slack.run_jobs()
    assert [m for m in slack.inbox("pia") if "may be at risk" in m.readable]


async def test_risk_in_a_case_with_no_professional_alerts_the_coordinators_honestly(
    slack: SlackWorld,
):
    await slack.make_peer("pia")
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    answer = await slack.say("rita", "I want to die")
    assert "programme coordinator have been told" in answer.readable
    assert "professional" not in answer.readable
    await slack.run_jobs()
    [alert] = [m for m in slack.inbox("cy") if "no professional" in m.readable]
    assert alert.action_ids == []  # a peer has the case: nothing to take


async def test_a_crisis_form_is_never_sent_back_for_a_phone_number(slack: SlackWorld):
    await hospital(slack)
    await slack.command("rita")
    answer = await slack.submit(
        "rita", {"crisis": ["crisis"], "phone": "07700 900123 (mobile)", "urgency": None}
    )
    assert answer["response_action"] == "update" and shows_crisis_first(answer["view"]["blocks"])
    [request] = await requests(slack)
    assert request.crisis and request.urgency == "now" and request.contact_number is None


async def test_risk_from_a_peer_with_two_cases_and_no_reference(slack: SlackWorld):
    await hospital(slack)
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(update(Peer).values(caseload_cap=3))
    for name in ("rita", "ruth"):
        await ask(slack, name, contact="chat", options=["anonymous"])
        [offer] = slack.offers("pia")[-1:]
        await slack.click("pia", offer, "offer.accept")
        await slack.run_jobs()
    answer = await slack.say("pia", "are you thinking of suicide?")
    assert shows_crisis_first(answer.blocks)
    assert "more than one anonymous conversation" in answer.readable  # nothing passed on, said
