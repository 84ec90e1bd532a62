"""What reaches /slack/events and the Web API: signatures, malformed bodies, retried events,
rate limits, the modal's field errors, help, DMs and the App Home."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.slack.people import SlackPeople
from models import Peer, ProcessedEvent, SupportRequest
from tests.slack.conftest import FORM, SIGNING_SECRET, SlackWorld, text_of


async def count(slack: SlackWorld, model: type) -> int:
    async with slack.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def submission(slack: SlackWorld, name: str) -> str:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0HOSPITAL"},
        "user": {"id": slack.user(name), "team_id": "T0HOSPITAL"},
        "view": {
            "type": "modal",
            "callback_id": "intake",
            "private_metadata": "en",
            "state": {"values": {}},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


# --- verification -------------------------------------------------------------------------


async def test_forged_signature_is_refused_and_changes_nothing(slack: SlackWorld):
    body = submission(slack, "rita")
    response = await slack.post(body, "application/x-www-form-urlencoded", secret="not-the-secret")
    assert response.status == 401
    response = await slack.client.post(
        "/slack/events", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 401  # no signature at all
    await slack.settle()
    assert await count(slack, SupportRequest) == 0
    assert not slack.api.calls


async def test_stale_timestamp_is_refused(slack: SlackWorld):
    body = submission(slack, "rita")
    stale = int(time.time()) - 6 * 60
    response = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stale)
    assert response.status == 401
    assert SIGNING_SECRET not in await response.text()
    await slack.settle()
    assert await count(slack, SupportRequest) == 0


async def test_a_replayed_form_gets_409_and_a_resent_one_stores_nothing(slack: SlackWorld):
    await slack.make_peer("pia")
    payload = slack.submission_payload("rita", FORM)
    body = urlencode({"payload": json.dumps(payload)})
    stamp = int(time.time())
    first = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    replayed = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert (first.status, replayed.status) == (200, 409)
    assert "already received" in await replayed.text()
    # The retry header is not signed: on a form it changes nothing.
    forged_retry = await slack.post(
        body, "application/x-www-form-urlencoded", {"X-Slack-Retry-Num": "1"}, timestamp=stamp
    )
    assert forged_retry.status == 409
    # The same submission signed anew: a new signature, so not a replay (the form id decides).
    again = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp - 1)
    assert again.status == 200
    await slack.settle()
    await slack.run_jobs()
    assert await count(slack, SupportRequest) == 1
    assert len(slack.offers("pia")) == 1


async def test_malformed_bodies_get_400_and_change_nothing(slack: SlackWorld):
    for body, content_type in [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("", "application/json"),
    ]:
        response = await slack.post(body, content_type)
        assert response.status == 400, body
    await slack.settle()
    assert await count(slack, SupportRequest) == 0
    assert not slack.api.calls


async def test_unknown_callback_id_gets_a_4xx_and_changes_nothing(slack: SlackWorld):
    payload = {
        "type": "view_submission",
        "team": {"id": "T0HOSPITAL"},
        "user": {"id": "URITA", "team_id": "T0HOSPITAL"},
        "view": {"type": "modal", "callback_id": "something-else", "state": {"values": {}}},
    }
    response = await slack.interact(payload)
    assert 400 <= response.status < 500
    assert await count(slack, SupportRequest) == 0


# --- events -------------------------------------------------------------------------------


async def test_a_retried_event_is_handled_once(slack: SlackWorld):
    event = slack.dm_event("rita", "support")
    first = await slack.event(event, event_id="Ev0RETRY")
    again = await slack.event(event, event_id="Ev0RETRY", retry=1)
    assert first.status == 200 and again.status == 200
    [reply] = slack.inbox("rita")
    assert reply.action_ids == ["support.start"]
    assert await count(slack, ProcessedEvent) == 1


async def test_nothing_is_ever_said_in_a_channel(slack: SlackWorld):
    """Someone mentions the bot's words in a channel or a group DM: the bot stays silent there
    (and everywhere else), so nobody in the channel learns who might be asking for help."""
    await slack.make_peer("pia")
    for channel, channel_type in (("C0WARD", "channel"), ("G0TEAM", "group"), ("C0X", "mpim")):
        event = {**slack.dm_event("rita", "support please"), "channel": channel}
        response = await slack.event({**event, "channel_type": channel_type})
        assert response.status == 200
    await slack.settle()
    await slack.run_jobs()
    posting = ("chat.postMessage", "chat.postEphemeral", "conversations.open", "views.open")
    assert [call.method for call in slack.api.calls if call.method in posting] == []


async def test_the_bots_own_messages_are_ignored(slack: SlackWorld):
    event = {**slack.dm_event("rita", "support"), "user": "UBOT", "bot_id": "BBOT"}
    response = await slack.event(event)
    assert response.status == 200
    assert slack.inbox("rita") == []


# --- the Web API ----------------------------------------------------------------------------


async def test_rate_limited_message_is_retried_and_arrives_once(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.command("rita")
    slack.api.fail_next("chat.postMessage", 429, {"Retry-After": "1"})
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    assert slack.api.refused == ["chat.postMessage"]
    acks = [m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]
    assert len(acks) == 1
    assert len(slack.offers("pia")) == 1


async def test_dm_channels_are_opened_once_per_person_and_kept(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.command("rita")
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    await slack.command("rita")
    await slack.submit("rita", {**FORM, "urgency": "today"})
    await slack.run_jobs()
    opened = [call.args["users"] for call in slack.api.called("conversations.open")]
    assert sorted(opened) == ["UPIA", "URITA"]
    assert len(slack.offers("pia")) == 2

    # after a restart (the process's memory gone) the stored channel ids are used
    messenger = slack.runtime.messengers.for_platform("slack")
    messenger._channels.clear()
    await slack.command("rita")
    await slack.submit("rita", {**FORM, "urgency": "week"})
    await slack.run_jobs()
    assert len(slack.api.called("conversations.open")) == 2
    assert len(slack.offers("pia")) == 3


# --- the modal ------------------------------------------------------------------------------


async def test_modal_field_errors_store_nothing(slack: SlackWorld):
    await slack.command("rita")
    answer = await slack.submit("rita", {"contact": "phone"})
    assert answer["response_action"] == "errors"
    assert {"urgency", "category"} <= set(answer["errors"])
    answer = await slack.submit("rita", {**FORM, "options": ["exclude_own_unit"]})
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"unit"}
    await slack.run_jobs()
    assert await count(slack, SupportRequest) == 0
    assert slack.inbox("rita") == []


async def test_modal_speaks_the_users_slack_language(slack: SlackWorld):
    """The form opens before users.info is asked (the trigger lasts 3 seconds): a first-timer's
    opens in the organisation's language and is shown again in theirs; the next opens in it."""
    user_id = slack.user("rosa", locale="es-ES")
    await slack.command("rosa")
    shown = slack.api.modal(user_id)
    assert shown is not None and "apoyo" in text_of(shown).lower()
    assert shown["private_metadata"] == "es"
    [updated] = slack.api.called("views.update")
    assert updated.args["view"]["private_metadata"] == "es"

    slack.api.close_modal(user_id)
    await slack.command("rosa")
    [_, opened] = slack.api.called("views.open")
    assert opened.args["view"]["private_metadata"] == "es"
    assert len(slack.api.called("views.update")) == 1


async def test_database_down_still_shows_crisis_resources(slack: SlackWorld, monkeypatch):
    async def refuse(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, ConnectionRefusedError())

    monkeypatch.setattr(slack.runtime.requests, "request_support", refuse)
    await slack.command("rita")
    answer = await slack.submit("rita", FORM)
    try:
        assert answer["response_action"] == "update"
        assert "988" in text_of(answer["view"])  # the crisis lines, at once
        [told] = slack.inbox("rita")  # and, since nothing was stored, the truth by DM
        assert "could not be saved yet" in told.readable and "988" in told.readable
    finally:
        for task in list(slack.runtime.requests._retries):
            task.cancel()


async def test_a_valid_form_is_answered_before_it_is_stored(slack: SlackWorld, monkeypatch):
    """The modal's answer does not wait for the write: Slack drops answers after 3 seconds."""
    stored = asyncio.Event()
    store = slack.runtime.requests.request_support

    async def slow_store(*args, **kwargs):
        await stored.wait()
        return await store(*args, **kwargs)

    monkeypatch.setattr(slack.runtime.requests, "request_support", slow_store)
    await slack.command("rita")
    answer = await asyncio.wait_for(
        slack.interact(slack.submission_payload("rita", FORM)), timeout=2
    )
    shown = await answer.json()
    assert shown["response_action"] == "update" and "988" in text_of(shown["view"])
    assert await count(slack, SupportRequest) == 0
    stored.set()
    await slack.settle()
    assert await count(slack, SupportRequest) == 1
    await slack.run_jobs()
    acks = [m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]
    assert len(acks) == 1  # the confirmation, with what happens next, by DM


async def test_a_rate_limited_profile_lookup_does_not_hold_the_form_back(slack: SlackWorld):
    """users.info only gives a name and language: a person is never kept waiting on it (a
    form must open within 3 seconds of the command, and an answer to a form likewise)."""
    await slack.make_peer("pia")
    slack.api.fail_next("users.info", 429, {"Retry-After": "4"})
    await slack.command("rita")
    await asyncio.wait_for(slack.settle(), timeout=2.5)
    [opened] = slack.api.called("views.open")
    assert opened.args["view"]["callback_id"] == "intake"

    slack.api.fail_next("users.info", 429, {"Retry-After": "4"})
    answer = await asyncio.wait_for(
        slack.interact(slack.submission_payload("rita", FORM)), timeout=2.5
    )
    assert "988" in text_of((await answer.json())["view"])
    await slack.settle()
    assert await count(slack, SupportRequest) == 1


async def test_a_lookup_failing_after_the_answer_still_stores_the_request(
    slack: SlackWorld, monkeypatch
):
    """The person was told "received": a network error looking them up must not lose it."""
    await slack.make_peer("pia")
    await slack.command("rita")

    async def unreachable(*_args, **_kwargs):
        raise aiohttp.ClientConnectionError("slack.com unreachable")

    monkeypatch.setattr(SlackPeople, "of_payload", unreachable)
    answer = await slack.submit("rita", FORM)
    assert "988" in text_of(answer["view"])
    await slack.run_jobs()
    assert await count(slack, SupportRequest) == 1
    assert len(slack.offers("pia")) == 1


# --- help, DMs, App Home --------------------------------------------------------------------


async def test_support_help_is_ephemeral_and_says_the_limits(slack: SlackWorld):
    response = await slack.command("rita", "help")
    assert response.status == 200
    assert slack.api.called("views.open") == []
    [answer] = slack.api.responses
    assert answer["response_type"] == "ephemeral"
    assert "Slack workspace owners and administrators can export" in text_of(answer["blocks"])
    assert "Microsoft 365" not in text_of(answer["blocks"])
    assert "/support" in text_of(answer["blocks"])


async def test_dm_words_offer_the_form_with_a_button(slack: SlackWorld):
    for word in ("support", "Ayuda", "apoyo", "help"):
        reply = await slack.say("rita", word)
        assert reply.action_ids == ["support.start"], word
    prompt = slack.inbox("rita")[0]
    await slack.click("rita", prompt, "support.start")
    [opened] = slack.api.called("views.open")
    assert opened.args["view"]["callback_id"] == "intake"


async def test_other_dms_with_nothing_to_relay_get_the_start_button(slack: SlackWorld):
    reply = await slack.say("rita", "is anyone there?")
    assert reply.action_ids == ["support.start"]
    assert "not passed on" in reply.readable


async def test_app_home_for_anyone_and_for_a_peer(slack: SlackWorld):
    await slack.event({"type": "app_home_opened", "user": slack.user("rita"), "tab": "home"})
    [home] = slack.api.called("views.publish")
    assert home.args["user_id"] == "URITA"
    assert "support.start#0" in json.dumps(home.args["view"])

    await slack.make_peer("pia")
    peer_home = await slack.open_home("pia")
    assert "Make me unavailable" in text_of(peer_home)
    assert "You are on call now." in text_of(peer_home)  # on call without an end in sight
    assert "You have no open cases." in text_of(peer_home)

    switched = await slack.click_home("pia", peer_home, "peer.availability")
    assert "Make me available" in text_of(switched)
    async with slack.runtime.database.session() as session:
        assert (await session.scalar(select(Peer.available))) is False


async def test_an_uninstall_event_in_single_workspace_mode_is_answered(slack: SlackWorld):
    """The manifest subscribes to uninstall events for multi-workspace installs; a single
    workspace must still answer 200, or Slack keeps retrying them."""
    for event in ({"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {}}):
        response = await slack.event(event)
        assert response.status == 200, event
