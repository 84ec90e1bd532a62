"""The support flow on Slack end to end: /support, the modal, offers, Accept in place, relay,
close; decline, escalation and withdraw."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from sqlalchemy import update

from bot.logs import quiet_libraries
from bot.slack.client import SERVER_ERROR_RETRIES
from models import Organisation, Tier
from tests.slack.conftest import FORM, Posted, SlackWorld, text_of


async def ask(slack: SlackWorld, name: str, **answers: Any) -> dict[str, Any]:
    """/support, then submit the modal it opened; returns the view the modal turned into."""
    response = await slack.command(name)
    assert response.status == 200
    answer = await slack.submit(name, {**FORM, **answers})
    await slack.run_jobs()
    return answer


def last(messages: list[Posted]) -> Posted:
    assert messages, "no message"
    return messages[-1]


async def test_full_path_offer_accept_relay_close(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.make_peer("paz")

    response = await slack.command("rita")
    assert response.status == 200
    [opened] = slack.api.called("views.open")
    assert opened.args["trigger_id"].endswith(".URITA")  # the trigger of Rita's command
    modal = opened.args["view"]
    assert modal["type"] == "modal" and modal["callback_id"] == "intake"
    [note] = [block for block in modal["blocks"] if block.get("block_id") == "note"]
    assert "leave out patient names" in note["hint"]["text"]  # and says its 500-character limit
    assert "500 characters" in note["hint"]["text"]

    answer = await slack.submit(
        "rita",
        {**FORM, "contact": "chat", "options": ["anonymous"], "note": "long night on the ward"},
    )
    assert answer["response_action"] == "update"
    assert "crisis" in text_of(answer["view"]).lower() or "988" in text_of(answer["view"])
    await slack.run_jobs()

    [ack] = slack.inbox("rita")
    assert ack.action_ids == ["request.withdraw"]
    assert ack.text  # fallback text for notifications and screen readers
    assert "If nobody has accepted within 10 minutes" in ack.readable  # what happens next
    assert "988" in ack.readable and "Physician Support Line" in ack.readable  # crisis lines

    [pia_offer], [paz_offer] = slack.offers("pia"), slack.offers("paz")
    for offer in (pia_offer, paz_offer):
        assert offer.action_ids == ["offer.accept", "offer.decline"]
        for secret in ("Rita", "URITA", "long night"):
            assert secret not in offer.readable and secret not in offer.text

    as_sent = copy.deepcopy(pia_offer)
    await slack.click("pia", pia_offer, "offer.accept")
    accepted = slack.now(pia_offer)
    assert accepted.action_ids == ["request.close"]
    assert "Rita" not in accepted.readable  # anonymous: the bot relays

    await slack.run_jobs()
    paz_now = slack.now(paz_offer)
    assert paz_now.updates == 1 and paz_now.action_ids == []
    assert "taken" in paz_now.readable.lower()
    connected = last(slack.inbox("rita"))
    assert connected.action_ids == ["request.close"]
    assert "Pia" not in connected.readable and "UPIA" not in connected.readable

    # a double click on Accept gives the same answer and changes nothing
    await slack.click("pia", as_sent, "offer.accept")
    assert slack.now(pia_offer).action_ids == ["request.close"]

    sent = await slack.say("rita", "thank you for taking this")
    assert "passed on" in sent.readable.lower()
    await slack.run_jobs()
    relayed = last(slack.inbox("pia"))
    assert "thank you for taking this" in relayed.readable
    assert "Rita" not in relayed.readable and "URITA" not in relayed.readable

    await slack.say("pia", "I am here, call me when you can")
    await slack.run_jobs()
    back = last(slack.inbox("rita"))
    assert "I am here, call me when you can" in back.readable
    assert "Pia" not in back.readable and "UPIA" not in back.readable

    await slack.click("rita", connected, "request.close")
    closed = slack.now(connected)
    assert closed.action_ids == [] and "closed" in closed.readable.lower()
    await slack.run_jobs()
    closed_notice, wellbeing, encounter = slack.inbox("pia")[-3:]
    assert "closed" in closed_notice.readable.lower()
    assert wellbeing.action_ids == ["peer.ok", "peer.debrief"]
    assert encounter.action_ids == ["encounter.kind"] * 4
    assert "Optional" in encounter.readable and "No need to answer" in encounter.readable


async def test_named_request_shows_the_requester_as_a_mention(slack: SlackWorld):
    await slack.make_peer("pia")
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    accepted = slack.now(offer)
    assert "<@URITA>" in accepted.readable
    await slack.run_jobs()
    assert "<@UPIA>" in last(slack.inbox("rita")).readable


async def test_decline_moves_on_and_the_offer_is_replaced(slack: SlackWorld):
    await slack.make_peer("pia")
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    as_sent = copy.deepcopy(offer)
    await slack.click("pia", offer, "offer.decline")
    declined = slack.now(offer)
    assert declined.action_ids == []
    assert "declined" in declined.readable.lower()
    # clicking the (old) Decline again is harmless
    await slack.click("pia", as_sent, "offer.decline")
    assert slack.now(offer).action_ids == []


async def test_one_at_a_time_a_decline_offers_the_next_peer_at_once(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.make_peer("paz")
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(offer_mode="sequential"))
    await ask(slack, "rita")
    first = slack.offers("pia") + slack.offers("paz")
    assert len(first) == 1  # one peer asked at a time
    first_name = "pia" if slack.offers("pia") else "paz"
    second_name = "paz" if first_name == "pia" else "pia"
    await slack.click(first_name, first[0], "offer.decline")
    await slack.run_jobs()  # no waiting for the timeout
    [second] = slack.offers(second_name)
    assert second.action_ids == ["offer.accept", "offer.decline"]


async def test_a_server_error_from_slack_is_retried_and_the_message_arrives_once(
    slack: SlackWorld,
):
    await slack.make_peer("pia")
    slack.api.fail_next("chat.postMessage", 502)
    await ask(slack, "rita")
    assert slack.api.refused == ["chat.postMessage"]
    assert len([m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]) == 1
    assert len(slack.offers("pia")) == 1


async def test_escalation_after_the_timeout(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.make_peer("bea", Tier.BACKUP)
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    assert slack.offers("bea") == []

    slack.clock.advance(minutes=11)  # "now" times out after 10 minutes
    await slack.run_jobs()
    [backup_offer] = slack.offers("bea")
    assert "Rita" not in backup_offer.readable
    assert backup_offer.action_ids == ["offer.accept", "offer.decline"]


async def test_withdraw_updates_every_offer(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.make_peer("paz")
    await ask(slack, "rita")
    [ack] = [m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]
    await slack.click("rita", ack, "request.withdraw")
    assert "withdrawn" in slack.inbox("rita")[-1].readable.lower()  # the answer, below it
    await slack.run_jobs()
    withdrawn = slack.now(ack)  # then updated in place, lines kept
    assert withdrawn.action_ids == [] and "988" in withdrawn.readable
    assert "withdrawn" in withdrawn.readable.lower()
    for name in ("pia", "paz"):
        [offer] = [m for m in slack.inbox(name) if m.updates]
        assert offer.action_ids == [] and "withdrawn" in offer.readable.lower()


async def test_metrics_count_the_flow_and_name_nobody(slack: SlackWorld):
    await slack.make_peer("pia")
    await ask(slack, "rita", note="a private night")
    metrics = await (await slack.client.get("/metrics")).text()
    assert 'peer_support_jobs_total{kind="deliver",outcome="done"}' in metrics
    assert 'route="/slack/events",status="200"' in metrics
    for secret in ("URITA", "Rita", "UPIA", "Pia", "a private night", slack.team):
        assert secret not in metrics


async def test_once_a_case_is_closed_no_close_or_withdraw_button_is_left(slack: SlackWorld):
    await slack.make_peer("pia")
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    accepted = slack.now(offer)
    assert accepted.action_ids == ["request.close"]
    await slack.click("pia", accepted, "request.close")
    await slack.run_jobs()
    for name in ("rita", "pia"):
        live = [
            m
            for m in slack.inbox(name)
            if {"request.close", "request.withdraw"} & set(m.action_ids)
        ]
        assert live == [], [m.readable for m in live]
    ended = [m for m in slack.inbox("rita") if "is closed" in m.readable]
    assert len(ended) == 2  # the confirmation (Withdraw) and the connection notice (Close)
    assert all(m.action_ids == [] for m in ended)
    [ack] = [m for m in ended if "I have your request" in m.readable]
    assert "988" in ack.readable  # the crisis lines are never taken away


async def test_no_log_line_names_the_requester_or_quotes_the_note(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
):
    """Even at LOG_LEVEL=DEBUG: the libraries that would log payloads are kept at WARNING."""
    quiet_libraries()  # what `peer-support` does at start-up
    caplog.set_level(logging.DEBUG)
    await slack.make_peer("pia")
    # Slack down long enough for a job to fail once (jobs run side by side, so more than one
    # job's worth of retries)
    for _ in range(2 * (SERVER_ERROR_RETRIES + 1)):
        slack.api.fail_next("chat.postMessage", 503)
    await ask(slack, "rita", note="NOTE-MARKER-3319", contact="chat", options=["anonymous"])
    slack.clock.advance(minutes=5)
    await slack.run_jobs()
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    await slack.say("rita", "RELAY-MARKER-2205")
    await slack.run_jobs()
    assert caplog.records, "the scan must see the logs"
    for marker in ("URITA", "Rita", "NOTE-MARKER-3319", "RELAY-MARKER-2205"):
        assert marker not in caplog.text, marker
