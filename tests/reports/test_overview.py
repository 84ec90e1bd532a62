"""The coordinator's overview as a use case: who sees it, the week's figures, the handoffs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from handlers.core.ports import Message
from handlers.reports.overview import Overview
from handlers.roster.admin import RosterAdmin
from models import Tier
from tests.hospital import Hospital


def section(messages: list[Message], kind: str) -> Message:
    return next(message for message in messages if message.kind == kind)


async def test_only_an_active_coordinator_gets_the_overview(hospital: Hospital) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana")
    overview = Overview(hospital.core)

    assert await overview.messages(hospital.person("ana"), "en") == []
    assert await overview.messages(hospital.person("stranger"), "en") == []
    kinds = [m.kind for m in await overview.messages(hospital.person("cy"), "en")]
    assert kinds == [
        "coordinator.on_call",
        "coordinator.handoffs",
        "coordinator.lapsing",
        "coordinator.caseloads",
        "coordinator.week",
        "reach_in.figures",
    ]


async def test_last_weeks_figures_and_this_months_cases(hospital: Hospital) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana", caseload_cap=10)
    monday = hospital.clock.now
    hospital.clock.now = datetime(2026, 11, 18, 10, tzinfo=UTC)  # last Wednesday
    for index, wait in enumerate((2, 3, 4, 5, 6)):
        request_id = await hospital.ask(f"nurse{index}")
        hospital.clock.advance(minutes=wait)
        await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
        await hospital.cases.close(hospital.person("ana"), request_id)
    hospital.clock.now = monday

    messages = await Overview(hospital.core).messages(hospital.person("cy"), "en")
    week = section(messages, "coordinator.week")
    assert week.fields == [("Requests", "5"), ("Median time to accept", "4 min")]
    assert "16 Nov" in (week.title or "")
    caseloads = section(messages, "coordinator.caseloads")
    assert caseloads.lines == ["Ana: 5", "Cy: 0"]
    everything = "\n".join(message.plain_text() for message in messages)
    assert "Nurse" not in everything and "UNURSE" not in everything


async def test_handoffs_name_who_takes_over_and_skip_back_to_back_shifts(
    hospital: Hospital,
) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    ana = await hospital.add_peer("ana", on_call=False, training_valid_until=date(2026, 12, 1))
    ben = await hospital.add_peer("ben", on_call=False)
    admin = RosterAdmin(hospital.database, clock=hospital.clock)
    tomorrow = hospital.clock().date() + timedelta(days=1)
    for name, members in (("Days", [ana, ben]), ("Solo", [ben])):
        await admin.add_rotation(
            None, hospital.organisation_id, name=name, tier=Tier.PEER if name == "Days" else
            Tier.BACKUP, starts_on=tomorrow, handoff_time=time(8), shift_hours=24,
            peer_ids=members,
        )  # fmt: skip

    messages = await Overview(hospital.core).messages(hospital.person("cy"), "en")
    handoffs = section(messages, "coordinator.handoffs").lines
    peer_lines = [line for line in handoffs if "as peer supporter" in line]
    backup_lines = [line for line in handoffs if "as backup peer supporter" in line]
    assert len(peer_lines) == 7  # a new peer every day for the 7 days shown
    assert peer_lines[0].endswith("Ana takes over as peer supporter")
    assert len(backup_lines) == 1  # Ben alone, back to back: one handoff, then no change
    lapsing = section(messages, "coordinator.lapsing").lines
    assert lapsing == ["Ana: training valid until 1 Dec 2026"]
    on_call = dict(section(messages, "coordinator.on_call").fields)
    assert on_call["Peer supporter"] == "Nobody"
