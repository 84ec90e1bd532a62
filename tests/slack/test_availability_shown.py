"""A peer who switched themselves to unavailable is shown so wherever their time on call is:
their Home does not also say "You are on call now", and the coordinator's schedule and coming
handoffs mark them."""

from __future__ import annotations

from models import Peer, Tier
from tests.slack.conftest import SlackWorld, text_of
from tests.slack.test_coordinator_home import add_tomorrows_rotation, open_home


async def test_an_unavailable_peer_is_shown_unavailable_in_their_home_and_the_schedule(
    slack: SlackWorld,
):
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    await slack.make_peer("pia")
    home = await slack.open_home("pia")
    switched = text_of(await slack.click_home("pia", home, "peer.availability"))
    assert "marked unavailable" in switched
    assert "You are on call now" not in switched
    assert "requests go to others" in switched

    await slack.command("cy", "admin")
    menu = text_of(slack.api.called("views.open")[-1].args["view"])
    assert "Pia (peer supporter), marked unavailable: not asked" in menu


async def test_in_spanish_too(slack: SlackWorld):
    slack.user("pia", locale="es-ES")
    await slack.make_peer("pia")
    home = await slack.open_home("pia")
    switched = text_of(await slack.click_home("pia", home, "peer.availability"))
    assert "Estás de guardia ahora" not in switched
    assert "estás marcado no disponible" in switched


async def test_the_coordinators_coming_handoffs_mark_an_unavailable_peer(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR, on_call=False)
    pia = await slack.make_peer("pia", on_call=False)
    async with slack.runtime.database.session() as session:
        organisation_id = (await session.get(Peer, pia)).organisation_id  # type: ignore[union-attr]
    await add_tomorrows_rotation(slack, pia, organisation_id)
    await slack.click_home("pia", await slack.open_home("pia"), "peer.availability")

    home = text_of(await open_home(slack, "cy"))
    assert "Pia takes over as peer supporter, but is marked unavailable: requests skip them" in home
