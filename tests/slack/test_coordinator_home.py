"""The coordinator's App Home through /slack/events: on call now, handoffs, lapsing training,
cases carried this month, last week's headline figures; and nothing of it for anyone else."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from sqlalchemy import update

from handlers.roster.admin import RosterAdmin
from models import Organisation, Peer, Tier
from tests.slack.conftest import FORM, SlackWorld, text_of


async def open_home(slack: SlackWorld, name: str) -> dict[str, Any]:
    before = len(slack.api.called("views.publish"))
    response = await slack.event(
        {"type": "app_home_opened", "user": slack.user(name), "tab": "home"}
    )
    assert response.status == 200
    published = slack.api.called("views.publish")
    assert len(published) == before + 1
    assert published[-1].args["user_id"] == slack.user(name)
    return published[-1].args["view"]


async def lapse_soon(slack: SlackWorld, peer_id: int, days: int) -> None:
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(
            update(Peer)
            .where(Peer.id == peer_id)
            .values(training_valid_until=slack.clock().date() + timedelta(days=days))
        )


async def add_tomorrows_rotation(slack: SlackWorld, peer_id: int, organisation_id: int) -> None:
    await RosterAdmin(slack.runtime.database, clock=slack.clock).add_rotation(
        None,
        organisation_id,
        name="Nights",
        tier=Tier.PEER,
        starts_on=slack.clock().date() + timedelta(days=1),
        handoff_time=time(20),
        shift_hours=24,
        peer_ids=[peer_id],
    )


async def test_a_coordinator_sees_the_roster_and_the_programme_at_a_glance(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR)
    ana = await slack.make_peer("ana")
    await lapse_soon(slack, ana, days=12)
    async with slack.runtime.database.session() as session:
        organisation_id = (await session.get(Peer, ana)).organisation_id  # type: ignore[union-attr]
    ben = await slack.make_peer("ben", Tier.BACKUP)
    await add_tomorrows_rotation(slack, ben, organisation_id)

    await slack.command("rita")
    await slack.submit("rita", {**FORM, "note": "a hard night"})
    await slack.run_jobs()
    [offer] = slack.offers("ana")
    await slack.click("ana", offer, "offer.accept")

    home = text_of(await open_home(slack, "cy"))
    assert "Would you like to talk to a trained peer supporter?" in home  # what anyone sees
    assert "On call now" in home
    assert "Ana" in home and "Ben" in home and "Cy" in home
    assert "Coming handoffs" in home and "Ben takes over as peer supporter" in home
    assert "Training lapsing within 30 days" in home
    assert "Ana: training valid until" in home
    assert "Cases carried this month" in home and "Ana: 1" in home and "Ben: 0" in home
    assert "Last week" in home and "Not shown (fewer than 5)" in home
    for secret in ("Rita", "URITA", "a hard night"):
        assert secret not in home


async def test_a_peer_who_is_not_a_coordinator_sees_no_coordinator_section(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR)
    ana = await slack.make_peer("ana")
    await lapse_soon(slack, ana, days=3)

    home = text_of(await open_home(slack, "ana"))
    assert "Make me unavailable" in home  # their own status is there
    for coordinator_only in ("On call now", "Coming handoffs", "Training lapsing", "Cases carried"):
        assert coordinator_only not in home

    anyone = text_of(await open_home(slack, "rita"))
    assert "On call now" not in anyone and "Cy" not in anyone


async def test_the_coordinator_home_speaks_spanish(slack: SlackWorld):
    slack.user("cy", locale="es-ES")
    await slack.make_peer("cy", Tier.COORDINATOR)

    home = text_of(await open_home(slack, "cy"))
    assert "De guardia ahora" in home and "Casos atendidos este mes" in home
    assert "No se muestra (menos de 5)" in home


async def test_under_the_nhs_rule_the_home_says_so(slack: SlackWorld):
    cy = await slack.make_peer("cy", Tier.COORDINATOR)
    async with slack.runtime.database.session() as session, session.begin():
        peer = await session.get(Peer, cy)
        assert peer is not None
        await session.execute(
            update(Organisation)
            .where(Organisation.id == peer.organisation_id)
            .values(small_numbers="nhs")
        )
    home = text_of(await open_home(slack, "cy"))
    assert "NHS rule: figures of 1 to 7 are not shown" in home
    assert "Not shown (fewer than 8)" in home
