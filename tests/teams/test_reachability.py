"""A peer who removes the app (Teams' installationUpdate "remove") is passed by in routing,
the coordinators are told at once, and both are undone when the peer adds the app again; end to
end through /api/messages on both databases."""

from __future__ import annotations

from sqlalchemy import select

from models import ChatIdentity, Tier
from tests.teams.conftest import BOT, TeamsWorld, card_text
from tests.teams.test_flow import ask, offers_to, on_call


async def remove_app(teams: TeamsWorld, name: str) -> None:
    activity = teams.activity(name, "installationUpdate", action="remove")
    response = await teams.post(activity)
    assert response.status in (200, 201), await response.text()
    await teams.run_jobs()


def told(teams: TeamsWorld, name: str, words: str) -> list[str]:
    return [card_text(c.card) for c in teams.inbox(name) if words in card_text(c.card)]


async def unreachable(teams: TeamsWorld) -> list[bool]:
    async with teams.runtime.database.session() as session:
        rows = await session.scalars(select(ChatIdentity).order_by(ChatIdentity.id))
        return [identity.unreachable_since is not None for identity in rows]


async def test_a_peer_who_removes_the_app_gets_no_offers_until_they_return(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await on_call(teams, "pia", "paz")
    await remove_app(teams, "pia")

    [notice] = told(teams, "cy", "removed the peer-support app")
    assert "Pia" in notice and "no offers" in notice
    await remove_app(teams, "pia")  # Teams sends it again: nothing new
    assert len(told(teams, "cy", "removed the peer-support app")) == 1
    assert await unreachable(teams) == [False, True, False]

    await ask(teams, "rita")
    assert offers_to(teams, "pia") == [] and len(offers_to(teams, "paz")) == 1

    await teams.install("pia")  # adds the app again
    await teams.run_jobs()
    [back] = told(teams, "cy", "added the peer-support app again")
    assert "Pia" in back
    assert not any(await unreachable(teams))
    await ask(teams, "rosa")
    assert len(offers_to(teams, "pia")) == 1


async def test_the_bot_removed_from_the_chat_counts_as_removing_the_app(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await on_call(teams, "pia")
    activity = teams.activity("pia", "conversationUpdate", membersRemoved=[BOT])
    response = await teams.post(activity)
    assert response.status in (200, 201)
    await teams.run_jobs()
    assert told(teams, "cy", "removed the peer-support app")
    await teams.say("pia", "help")  # writing to the bot again: reachable
    await teams.run_jobs()
    assert told(teams, "cy", "added the peer-support app again")


async def test_someone_not_on_the_roster_removing_the_app_tells_nobody(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await teams.install("rita")
    await remove_app(teams, "rita")
    assert told(teams, "cy", "removed") == []
    assert await unreachable(teams) == [False, True]


async def test_the_coordinator_hears_it_in_spanish(teams: TeamsWorld):
    teams.user("cy", "es-ES")
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await on_call(teams, "pia")
    await remove_app(teams, "pia")
    assert told(teams, "cy", "ha quitado la aplicación")
