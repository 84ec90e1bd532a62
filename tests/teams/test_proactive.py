"""A peer who never wrote to the bot: the bot opens a personal chat with them, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bot.teams import messenger
from handlers.core.people import lookup_key
from models import ChatIdentity
from tests.teams.conftest import BOT, TENANT, TeamsWorld, card_text, verbs
from tests.teams.test_delivery import ask_from_slack, record_sleeps
from tests.teams.test_flow import ask, offer_id


def offers_in(teams: TeamsWorld, conversation_id: str) -> list[object]:
    return [c for c in teams.connector.posts(conversation_id) if "offer.accept" in verbs(c.card)]


async def stored_address(teams: TeamsWorld, name: str) -> dict[str, object] | None:
    key = lookup_key("teams", TENANT, teams.user(name).aad_object_id)
    async with teams.runtime.database.session() as session:
        return await session.scalar(
            select(ChatIdentity.address).where(ChatIdentity.lookup_key == key)
        )


async def test_a_peer_who_never_wrote_gets_offers_in_a_chat_the_bot_opens_once(
    teams: TeamsWorld,
):
    await teams.install("rita")  # the tenant's service URL comes from references like hers
    await teams.import_peer("pia")
    assert await stored_address(teams, "pia") is None

    await ask(teams, "rita")

    [create] = teams.connector.creates()
    assert create.body["isGroup"] is False
    assert create.body["members"] == [{"id": "aad-pia"}]
    assert create.body["bot"]["id"] == BOT["id"]
    assert create.body["tenantID"] == TENANT
    assert create.body["channelData"] == {"tenant": {"id": TENANT}}
    opened = create.conversation_id
    [offer] = offers_in(teams, opened)
    assert "Rita" not in card_text(offer.card)
    address = await stored_address(teams, "pia")
    assert address is not None
    assert address["conversation"]["id"] == opened
    assert address["serviceUrl"] == teams.service_url
    async with teams.runtime.database.session() as session:  # encrypted at rest
        stored = (await session.scalars(text("SELECT address FROM chat_identities"))).all()
    assert len(stored) == 2 and not any(opened in str(raw) for raw in stored)

    await ask(teams, "rosa")  # a second offer continues the chat the bot opened
    assert len(teams.connector.creates()) == 1
    assert len(offers_in(teams, opened)) == 2

    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    assert verbs(accepted) == ["request.close"]
    await teams.run_jobs()
    connected = teams.inbox("rita")[-1]
    assert "Pia" in card_text(connected.card)  # from the roster: named in the text


async def test_opening_the_chat_is_retried_on_429_and_5xx(teams: TeamsWorld):
    slept = record_sleeps(teams)
    await teams.install("rita")
    await teams.import_peer("pia")
    teams.connector.fail_next_create(429, {"Retry-After": "3"})
    teams.connector.fail_next_create(502)

    await ask(teams, "rita")

    assert teams.connector.refused == 2
    assert slept == [3.0, 2.0]
    [create] = teams.connector.creates()
    assert len(offers_in(teams, create.conversation_id)) == 1


async def test_a_peer_who_does_not_have_the_app_is_not_retried_at_once(teams: TeamsWorld):
    slept = record_sleeps(teams)
    await teams.install("rita")
    await teams.import_peer("pia")
    teams.connector.fail_next_create(403)  # Teams: the bot is not in the user's roster

    await ask(teams, "rita")

    assert slept == []
    assert teams.connector.creates() == []
    assert await stored_address(teams, "pia") is None


async def test_a_tenant_nobody_wrote_from_is_reached_through_the_global_service_url(
    teams: TeamsWorld, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(messenger, "GLOBAL_SERVICE_URL", teams.service_url)  # Teams' own, faked
    await teams.import_peer("pia")  # on the roster, never wrote: no Teams reference at all
    slack = await ask_from_slack(teams)

    [create] = teams.connector.creates()
    assert create.body["members"] == [{"id": "aad-pia"}]
    [offer] = offers_in(teams, create.conversation_id)
    assert "Sam" not in card_text(offer.card)
    assert slack.kinds_to("USAM") == ["intake.ack"]
