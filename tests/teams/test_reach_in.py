"""Reach-in after an event, on Teams, through /api/messages: the coordinator's admin card opens
the event form; the colleagues picked (by Entra object id, some who never wrote to the bot) get
a private offer; each answer path is counted; the admin card shows suppressed totals only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from models import AuditEvent, Organisation, ReachInEvent, ReachInInvite, SupportRequest, Tier
from tests.teams.conftest import TeamsWorld, card_text, verbs
from tests.teams.test_flow import offers_to, on_call
from tests.teams.test_roster_cards import open_form, send

INSTALLED = ("rita", "sam", "tom", "una", "val", "wes")
NEVER_WROTE = ("xia", "yan")


def event(teams: TeamsWorld, people: tuple[str, ...], day: str = "2026-11-22") -> dict[str, str]:
    return {
        "occurred_on": day,
        "category": "violence",
        "units": "Emergency",
        "note": "Assault in triage",
        "people": ",".join(teams.user(name).aad_object_id for name in people),
    }


def inbox(teams: TeamsWorld, name: str) -> list[Any]:
    """Cards sent to `name`: in their own chat, or in the one the bot opened with them."""
    opened = teams.connector.opened.get(teams.user(name).aad_object_id)
    return teams.inbox(name) + (teams.connector.posts(opened) if opened else [])


def invitation(teams: TeamsWorld, name: str) -> dict[str, Any]:
    [card] = [c.card for c in inbox(teams, name) if "reach_in.talk" in verbs(c.card)]
    return card


async def answer(teams: TeamsWorld, name: str, card: dict[str, Any], verb: str) -> dict[str, Any]:
    [action] = [a for a in card["actions"] if a["verb"] == verb]
    return await teams.click(name, verb, action["data"])


async def test_a_reach_in_to_eight_people_with_every_answer_path(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await on_call(teams, "ana")
    for name in INSTALLED:
        await teams.install(name, "es-ES" if name == "una" else "en-US")
    async with teams.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(anonymity_threshold=3))
    form = await open_form(teams, "cy", "record_event")
    assert "Colleagues involved" in card_text(form)
    done = await send(teams, "cy", form, event(teams, INSTALLED + NEVER_WROTE))
    assert "private message about the event of 22 November: 8" in card_text(done)
    teams.clock.advance(seconds=5)
    await teams.run_jobs()
    cards = {name: invitation(teams, name) for name in INSTALLED + NEVER_WROTE}
    assert verbs(cards["rita"]) == ["reach_in.talk", "reach_in.later", "reach_in.decline"]
    assert "Me gustaría hablar" in card_text(cards["una"])
    assert len(teams.connector.creates()) == 2  # a chat opened for each who never wrote

    replies = {
        name: await answer(teams, name, cards[name], "reach_in.talk")
        for name in ("rita", "una", "val", "xia")
    }
    assert "get in touch today" in card_text(replies["rita"])
    assert "se pondrá en contacto hoy" in card_text(replies["una"])
    await teams.run_jobs()
    async with teams.runtime.database.session() as session:
        requests = list(await session.scalars(select(SupportRequest)))
    assert {(r.category, r.urgency) for r in requests} == {("violence", "today")}
    assert len(requests) == 4 and len(offers_to(teams, "ana")) == 4

    later = await answer(teams, "sam", cards["sam"], "reach_in.later")
    assert verbs(later) == ["reach_in.talk"]
    no = await answer(teams, "tom", cards["tom"], "reach_in.decline")
    assert "change your mind" in card_text(no)
    assert "answered this already" in card_text(
        await answer(teams, "tom", cards["tom"], "reach_in.decline")
    )
    teams.clock.advance(days=3, minutes=1)
    await teams.run_jobs()
    reminders = [c.card for c in inbox(teams, "sam") if "Still here" in card_text(c.card)]
    assert len(reminders) == 1 and verbs(reminders[0]) == ["reach_in.talk", "reach_in.decline"]
    await answer(teams, "sam", reminders[0], "reach_in.talk")
    await teams.run_jobs()

    admin = card_text(await teams.say("cy", "admin"))
    # talk 5 shown; no thanks 1 and no answer 2 (wes, yan) are under 3; maybe later 1 too
    assert "8 reached; asked to talk 5, no thanks not shown, no answer yet not shown" in admin
    for name in INSTALLED + NEVER_WROTE:
        assert name.title() not in admin and teams.user(name).aad_object_id not in admin
    async with teams.runtime.database.session() as session:
        [recorded] = list(await session.scalars(select(ReachInEvent)))
        invites = list(await session.scalars(select(ReachInInvite)))
        audits = " ".join(
            f"{a.actor} {a.action} {a.detail}" for a in await session.scalars(select(AuditEvent))
        )
    assert (recorded.reached, recorded.talk, recorded.declined, recorded.later) == (8, 5, 1, 1)
    assert [i.identity_id is None for i in invites].count(True) == 6
    assert "aad-" not in audits and "Assault" not in audits


async def test_anyone_but_a_coordinator_is_refused_and_nothing_is_recorded(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await on_call(teams, "ana")
    form = await open_form(teams, "cy", "record_event")
    wrong = await send(teams, "cy", form, {**event(teams, ()), "occurred_on": "2027-01-01"})
    assert "Pick the day of the event" in card_text(wrong)
    assert "Pick the colleagues involved" in card_text(wrong)
    refused = await send(teams, "ana", form, event(teams, ("rita",)))
    assert "for the programme's coordinators" in card_text(refused)
    async with teams.runtime.database.session() as session:
        assert list(await session.scalars(select(ReachInEvent))) == []
