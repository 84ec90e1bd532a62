"""What the bot tells requesters and peers is true: a decline does not claim a colleague took
the request, and a closed case names the day of the first check-in as it is scheduled."""

from __future__ import annotations

import copy

from sqlalchemy import update

from models import Organisation
from tests.slack.conftest import FORM, Posted, SlackWorld
from tests.slack.test_flow import ask


async def test_a_decline_with_nobody_left_does_not_claim_a_colleague_has_it(slack: SlackWorld):
    await slack.make_peer("pia")  # the only peer on call
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.decline")
    declined = slack.now(offer).readable
    assert "You declined" in declined and "asking others" in declined
    assert "gone to a colleague" not in declined


async def close_by_peer(
    slack: SlackWorld, requester_locale: str = "en", offsets: list[int] | None = None
) -> str:
    """Rita asks, Pia accepts and closes; what Rita is told last."""
    slack.user("rita", locale=requester_locale)
    await slack.make_peer("pia")
    if offsets is not None:
        async with slack.runtime.database.session() as session, session.begin():
            await session.execute(update(Organisation).values(follow_up_offsets_days=offsets))
    await slack.command("rita")
    language = requester_locale[:2]
    await slack.submit("rita", {**FORM, "language": language}, locale=language)
    await slack.run_jobs()
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.click("pia", slack.now(offer), "request.close")
    await slack.run_jobs()
    return slack.inbox("rita")[-1].readable


async def test_a_closed_case_names_the_day_of_the_first_check_in(slack: SlackWorld):
    """Closed on Monday 23 November; the first check-in is a day later, in Rita's time zone."""
    told = await close_by_peer(slack)
    assert "I will check in with you on Tuesday 24 November" in told
    assert "few days" not in told


async def test_the_day_is_in_the_requesters_language(slack: SlackWorld):
    told = await close_by_peer(slack, "es-ES")
    assert "Te escribiré el martes 24 de noviembre" in told


async def test_no_check_in_is_promised_when_the_organisation_sends_none(slack: SlackWorld):
    told = await close_by_peer(slack, offsets=[])
    assert "closed the case" in told and "check in" not in told


async def test_the_acknowledgement_stops_saying_a_peer_is_being_asked_once_one_accepted(
    slack: SlackWorld,
):
    await slack.make_peer("pia")
    await ask(slack, "rita")
    [ack] = [m for m in slack.inbox("rita") if "request.withdraw" in m.action_ids]
    assert "being asked now" in ack.readable
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    now = slack.now(ack)  # updated in place, its crisis lines kept
    assert "being asked now" not in now.readable and "has accepted" in now.readable
    assert now.action_ids == [] and "988" in now.readable


async def test_an_old_close_button_on_a_peers_card_leaves_the_case_card_whole(
    slack: SlackWorld,
):
    """Rita closed the case; Pia clicks Close on a copy of her card from before: the card
    still says what the case was, that it is closed, and offers no button."""
    await slack.make_peer("pia")
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    before = Posted(offer.channel, copy.deepcopy(slack.now(offer)._stored))
    await slack.click("rita", slack.inbox("rita")[-1], "request.close")
    await slack.run_jobs()
    await slack.click("pia", before, "request.close")
    card = slack.now(offer)
    assert "You accepted this request" in card.readable and "is closed" in card.readable
    assert "Adverse event or error" in card.readable and card.action_ids == []
