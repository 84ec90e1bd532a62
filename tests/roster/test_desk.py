"""The roster in chat as a use case: the role check, field errors, and the typed admin word."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.chat.commands import Command, Commands, command_of
from handlers.privacy.erasure import Erasure
from handlers.privacy.forget_me import ForgetMe
from handlers.pulse.rounds import Pulses
from handlers.roster.access import NotAllowed
from handlers.roster.answers import OverrideForm, read_form
from handlers.roster.desk import RosterDesk
from handlers.roster.forms import FormInvalid
from models import Peer, Tier
from tests.hospital import Hospital


@pytest.fixture
async def desk(hospital: Hospital) -> RosterDesk:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana")
    return RosterDesk(hospital.core)


async def test_every_field_is_checked_before_anything_changes(
    hospital: Hospital, desk: RosterDesk
) -> None:
    peers = await hospital.count(Peer)
    cy = hospital.person("cy")
    with pytest.raises(FormInvalid) as caught:
        await desk.apply(cy, "en", "add_peer", {
            "tier": "chief", "unit": "x" * 101, "languages": ["xx"], "cap": "0",
            "trained_until": "someday",
        })  # fmt: skip
    assert set(caught.value.errors) == {"user", "tier", "unit", "languages", "cap", "trained_until"}
    with pytest.raises(FormInvalid) as caught:
        await desk.apply(
            cy, "es", "add_override", {"peer": "999", "starts_at": "1700000000", "ends_at": "soon"}
        )
    assert caught.value.errors == {"ends_at": "Elige una fecha y una hora."}
    with pytest.raises(FormInvalid):
        await desk.apply(cy, "en", "remove_peer", {"peer": "999"})  # not on this roster
    assert await hospital.count(Peer) == peers


async def test_only_coordinators_reach_the_desk(hospital: Hospital, desk: RosterDesk) -> None:
    for outsider in (hospital.person("ana"), hospital.person("stranger")):
        with pytest.raises(NotAllowed):
            await desk.schedule(outsider, "en")
        with pytest.raises(NotAllowed):
            await desk.apply(outsider, "en", "remove_peer", {"peer": str(hospital.peers["ana"])})


async def test_the_typed_admin_word_shows_the_schedule_or_refuses(
    hospital: Hospital, desk: RosterDesk
) -> None:
    commands = Commands(
        hospital.core,
        Pulses(hospital.core),
        ForgetMe(hospital.core, Erasure(hospital.core, hospital.cases)),
        desk,
    )
    assert command_of("/admin") is Command.ADMIN
    assert command_of("Gestionar turnos") is Command.ADMIN

    shown = await commands.run(hospital.person("cy"), Command.ADMIN)
    assert shown is not None and shown.kind == "admin.schedule"
    assert "Now to …: Ana (peer supporter)" in shown.lines
    refused = await commands.run(hospital.person("ana"), Command.ADMIN)
    assert refused is not None and refused.kind == "admin.refused"


def test_slacks_and_teams_shapes_of_a_form_read_the_same() -> None:
    """Lists or comma-joined strings, one date-time (epoch seconds) or a date and a time of
    day in the organisation's zone, `tier` or `rotation_tier`: one mapping for both."""
    zone = "Europe/Madrid"
    slack_rotation = {"name": "Days", "tier": "peer", "peers": ["2", "1"], "starts_on":
                      "2026-12-01", "handoff": "08:00", "hours": "24"}  # fmt: skip
    teams_rotation = {**slack_rotation, "tier": "backup", "rotation_tier": "peer", "peers": "2,1"}
    assert read_form("add_rotation", slack_rotation, zone=zone) == read_form(
        "add_rotation", teams_rotation, zone=zone
    )
    slack_override = {"peer": "3", "starts_at": "1796115600", "ends_at": "1796126400"}
    teams_override = {"peer": "3", "starts_at_date": "2026-12-01", "starts_at_time": "10:00",
                      "ends_at_date": "2026-12-01", "ends_at_time": "13:00"}  # fmt: skip
    slack, teams = (read_form("add_override", answers, zone=zone)
                    for answers in (slack_override, teams_override))  # fmt: skip
    assert isinstance(slack, OverrideForm) and isinstance(teams, OverrideForm)
    as_moment = [datetime.fromtimestamp(int(slack.starts_at or 0), UTC)]
    assert as_moment == [datetime.fromisoformat(teams.starts_at or "").astimezone(UTC)]
    assert read_form("add_peer", {"languages": "es, en"}, zone=zone) == read_form(
        "add_peer", {"languages": ["es", "en"]}, zone=zone
    )
