"""The roster in chat as a use case: the role check, field errors, and the typed admin word."""

from __future__ import annotations

import pytest

from handlers.chat.commands import Command, Commands, command_of
from handlers.privacy.erasure import Erasure
from handlers.pulse.rounds import Pulses
from handlers.roster.access import NotAllowed
from handlers.roster.desk import RosterDesk
from handlers.roster.forms import FormInvalid
from models import Peer, Tier
from tests.support.conftest import Hospital


@pytest.fixture
async def desk(hospital: Hospital) -> RosterDesk:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana")
    return RosterDesk(hospital.core)


async def test_every_field_is_checked_before_anything_changes(
    hospital: Hospital, desk: RosterDesk
) -> None:
    peers = await hospital.count(Peer)
    with pytest.raises(FormInvalid) as caught:
        await desk.add_peer(
            hospital.person("cy"), "en", None, tier="chief", unit="x" * 101,
            languages=["xx"], cap="0", trained_until="someday",
        )  # fmt: skip
    assert set(caught.value.errors) == {"user", "tier", "unit", "languages", "cap", "trained_until"}
    with pytest.raises(FormInvalid) as caught:
        await desk.add_override(
            hospital.person("cy"), "es", peer="999", starts_at="1700000000", ends_at="soon"
        )
    assert caught.value.errors == {"ends_at": "Elige una fecha y una hora."}
    with pytest.raises(FormInvalid):
        await desk.remove_peer(hospital.person("cy"), "en", "999")  # not on this roster
    assert await hospital.count(Peer) == peers


async def test_only_coordinators_reach_the_desk(hospital: Hospital, desk: RosterDesk) -> None:
    for outsider in (hospital.person("ana"), hospital.person("stranger")):
        with pytest.raises(NotAllowed):
            await desk.schedule(outsider, "en")
        with pytest.raises(NotAllowed):
            await desk.remove_peer(outsider, "en", str(hospital.peers["ana"]))


async def test_the_typed_admin_word_shows_the_schedule_or_refuses(
    hospital: Hospital, desk: RosterDesk
) -> None:
    commands = Commands(
        hospital.core, Pulses(hospital.core), Erasure(hospital.core, hospital.cases), desk
    )
    assert command_of("/admin") is Command.ADMIN
    assert command_of("Gestionar turnos") is Command.ADMIN

    shown = await commands.run(hospital.person("cy"), Command.ADMIN)
    assert shown is not None and shown.kind == "admin.schedule"
    assert "Now to …: Ana (peer supporter)" in shown.lines
    refused = await commands.run(hospital.person("ana"), Command.ADMIN)
    assert refused is not None and refused.kind == "admin.refused"
