"""Answers first: a slow Slack call started by one request never delays another's answer; the
work after an answer waits for the answers of the requests that came before it; one HTTP
session carries every Web API call; the form is built once per language."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.slack import modal
from bot.slack.answers_first import AnswersFirst
from bot.slack.client import SharedSessionClient
from tests.slack.conftest import FORM, SlackWorld, text_of

AT_ONCE = 0.5  # seconds: far below the 2 s the fake Slack holds views.open


async def test_a_held_views_open_does_not_delay_another_requests_answer(slack: SlackWorld):
    await slack.make_peer("pia")
    slack.api.hold_next("views.open", 2.0)
    rita = await slack.command("rita", settle=False)
    assert rita.status == 200  # answered; her form is still on its way
    await asyncio.sleep(0.1)  # her views.open is now held by the fake Slack

    started = time.perf_counter()
    nina = await slack.command("nina", settle=False)
    nina_answer = time.perf_counter() - started
    started = time.perf_counter()
    omar = await slack.interact(slack.submission_payload("omar", FORM))
    omar_answer = time.perf_counter() - started
    assert nina.status == 200 and omar.status == 200
    assert nina_answer < AT_ONCE and omar_answer < AT_ONCE
    assert "988" in text_of((await omar.json())["view"])  # the crisis lines, at once
    assert slack.api.modal(slack.user("nina")) is not None  # her form did not wait either
    assert slack.api.modal(slack.user("rita")) is None  # Rita's is still held

    await slack.settle()
    shown = slack.api.modal(slack.user("rita"))
    assert shown is not None and shown["callback_id"] == "intake"


async def test_the_form_opens_before_the_person_is_looked_up(slack: SlackWorld):
    await slack.command("rita")
    asked = [call.method for call in slack.api.calls if call.method in ("views.open", "users.info")]
    assert asked == ["views.open", "users.info"]


async def test_follow_up_work_waits_for_the_answers_of_earlier_requests() -> None:
    answers = AnswersFirst()
    order: list[str] = []
    first, second = answers.answering(), answers.answering()
    first.__enter__()
    second.__enter__()

    async def follow_up() -> None:
        await answers.after_answers()
        order.append("follow-up work")

    work = asyncio.create_task(follow_up())
    await asyncio.sleep(0.01)
    order.append("first answered")
    first.__exit__(None, None, None)
    later = answers.answering()
    later.__enter__()  # a request arriving after the work does not hold it back
    await asyncio.sleep(0.01)
    assert order == ["first answered"]
    order.append("second answered")
    second.__exit__(None, None, None)
    await asyncio.wait_for(work, 1)
    assert order == ["first answered", "second answered", "follow-up work"]
    later.__exit__(None, None, None)


async def test_every_web_api_call_shares_one_http_session(
    slack: SlackWorld, monkeypatch: pytest.MonkeyPatch
):
    client = slack.platform.app.client
    assert isinstance(client, SharedSessionClient)
    await slack.make_peer("pia")
    await slack.command("rita")  # the first calls open the session
    session = client.session
    assert session is not None and not session.closed

    opened: list[object] = []
    original = aiohttp.ClientSession.__init__

    def counting(self: aiohttp.ClientSession, *args: object, **kwargs: object) -> None:
        opened.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", counting)
    await slack.command("nina")
    await slack.submit("rita", FORM)
    await slack.run_jobs()  # the receipt and the offer, by the messenger
    assert slack.offers("pia") and len(slack.api.called("views.open")) == 2
    assert opened == []  # no call opened a session of its own
    assert client.session is session


async def test_the_form_is_built_once_per_language(
    slack: SlackWorld, monkeypatch: pytest.MonkeyPatch
):
    await slack.command("rita")  # built (or already built) for English
    lookups: list[str] = []
    translate = modal.t

    def counting(locale: str, key: str, **values: object) -> str:
        lookups.append(key)
        return translate(locale, key, **values)

    monkeypatch.setattr(modal, "t", counting)
    await slack.command("nina")
    assert lookups == []
    assert modal.intake_view("en") is modal.intake_view("en")
    assert modal.intake_view("es") is not modal.intake_view("en")
