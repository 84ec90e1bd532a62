"""The roster: shifts in local wall-clock time across DST, overrides, switches, eligibility."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.chat import home
from handlers.roster.on_call import coming_shifts, eligible_peers, on_call, shift_covering
from handlers.support.intake import IntakeForm
from models import (
    Organisation,
    Override,
    Peer,
    Rotation,
    RotationMember,
    SupportRequest,
    Tier,
)
from tests.hospital import Hospital

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def rotation(members: list[int], *, starts_on: date, handoff: time, hours: int) -> Rotation:
    built = Rotation(
        id=1,
        organisation_id=1,
        name="r",
        tier="peer",
        starts_on=starts_on,
        handoff_time=handoff,
        shift_hours=hours,
    )
    built.members = [
        RotationMember(rotation_id=1, position=position, peer_id=peer_id)
        for position, peer_id in enumerate(members)
    ]
    return built


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)


def test_a_daily_handoff_stays_at_eight_local_across_spring_forward() -> None:
    daily = rotation([10, 20], starts_on=date(2026, 3, 27), handoff=time(8), hours=24)
    # 28 March 08:00 → 29 March 08:00 spans the change (02:00 → 03:00 on the 29th): 23 hours.
    shift = shift_covering(daily, MADRID, local(MADRID, 2026, 3, 29, 7, 59))
    assert shift is not None and shift.peer_id == 20
    assert shift.starts_at == local(MADRID, 2026, 3, 28, 8)
    assert shift.ends_at == local(MADRID, 2026, 3, 29, 8)
    assert shift.ends_at - shift.starts_at == timedelta(hours=23)
    after = shift_covering(daily, MADRID, local(MADRID, 2026, 3, 29, 8, 0))
    assert after is not None and after.peer_id == 10


def test_a_daily_handoff_stays_at_eight_local_across_fall_back() -> None:
    daily = rotation([10, 20, 30], starts_on=date(2026, 10, 20), handoff=time(8), hours=24)
    # 25 October, 05:00 local: after the clocks went back at 03:00, still in the shift that
    # began on the 24th at 08:00 and lasts 25 real hours.
    shift = shift_covering(daily, MADRID, local(MADRID, 2026, 10, 25, 5))
    assert shift is not None
    assert shift.ends_at - shift.starts_at == timedelta(hours=25)
    # Shift numbers: 20 Oct is 0 ... 24 Oct is 4 → member 4 % 3 = position 1.
    assert shift.peer_id == 20 and shift.starts_at == local(MADRID, 2026, 10, 24, 8)
    following = shift_covering(daily, MADRID, local(MADRID, 2026, 10, 25, 8))
    assert following is not None and following.peer_id == 30
    assert following.starts_at.astimezone(MADRID).hour == 8


def test_twelve_hour_shifts_in_new_york_keep_their_wall_clock_times() -> None:
    halves = rotation([1, 2], starts_on=date(2026, 3, 7), handoff=time(7), hours=12)
    night = shift_covering(halves, NEW_YORK, local(NEW_YORK, 2026, 3, 8, 3))
    assert night is not None
    assert night.starts_at == local(NEW_YORK, 2026, 3, 7, 19)
    assert night.ends_at == local(NEW_YORK, 2026, 3, 8, 7)
    assert night.ends_at - night.starts_at == timedelta(hours=11)
    day = shift_covering(halves, NEW_YORK, local(NEW_YORK, 2026, 3, 8, 7))
    assert day is not None and day.peer_id != night.peer_id


def test_nobody_is_on_call_before_the_rotation_starts_or_without_members() -> None:
    daily = rotation([1], starts_on=date(2026, 5, 1), handoff=time(8), hours=24)
    assert shift_covering(daily, MADRID, local(MADRID, 2026, 5, 1, 7, 59)) is None
    assert (
        shift_covering(
            rotation([], starts_on=date(2026, 5, 1), handoff=time(8), hours=24),
            MADRID,
            local(MADRID, 2026, 5, 2),
        )
        is None
    )


async def add_rotation(hospital: Hospital, names: list[str], tier: Tier = Tier.PEER) -> None:
    async with hospital.database.session() as session, session.begin():
        built = Rotation(
            organisation_id=hospital.organisation_id,
            name="main",
            tier=tier.value,
            starts_on=date(2026, 11, 1),
            handoff_time=time(8),
            shift_hours=24,
        )
        built.members = [
            RotationMember(position=position, peer_id=hospital.peers[name])
            for position, name in enumerate(names)
        ]
        session.add(built)


async def on_call_names(hospital: Hospital, at: datetime, tier: Tier = Tier.PEER) -> list[str]:
    async with hospital.database.session() as session:
        organisation = await session.get(Organisation, hospital.organisation_id)
        assert organisation is not None
        peers = await on_call(session, organisation, tier, at)
    by_id = {peer_id: name for name, peer_id in hospital.peers.items()}
    return [by_id[peer.id] for peer in peers]


async def test_rotation_overrides_and_the_unavailable_switch(hospital: Hospital) -> None:
    for name in ("ana", "ben", "cara"):
        await hospital.add_peer(name, on_call=False)
    await add_rotation(hospital, ["ana", "ben"])
    monday = datetime(2026, 11, 23, 12, tzinfo=UTC)  # shift 22 since 1 Nov: Ana's
    assert await on_call_names(hospital, monday) == ["ana"]
    assert await on_call_names(hospital, monday + timedelta(days=1)) == ["ben"]
    async with hospital.database.session() as session, session.begin():
        session.add(
            Override(
                organisation_id=hospital.organisation_id,
                peer_id=hospital.peers["cara"],
                replaces_peer_id=hospital.peers["ana"],
                tier="peer",
                starts_at=monday - timedelta(hours=1),
                ends_at=monday + timedelta(hours=1),
            )
        )
    assert await on_call_names(hospital, monday) == ["cara"]
    assert await on_call_names(hospital, monday + timedelta(hours=2)) == ["ana"]
    async with hospital.database.session() as session, session.begin():
        ana = await session.get(Peer, hospital.peers["ana"])
        assert ana is not None
        ana.available = False
    assert await on_call_names(hospital, monday + timedelta(hours=2)) == []
    assert await on_call_names(hospital, monday, Tier.BACKUP) == []


async def test_a_peers_home_says_when_they_are_on_call(hospital: Hospital) -> None:
    for name in ("ana", "ben", "cara"):
        await hospital.add_peer(name, on_call=False)
    await add_rotation(hospital, ["ana", "ben"])  # daily at 08:00: Ana on the 23rd, Ben the 24th
    tuesday = datetime(2026, 11, 24, 8, tzinfo=UTC)
    async with hospital.database.session() as session, session.begin():
        session.add(  # Cara takes Ben's Tuesday
            Override(
                organisation_id=hospital.organisation_id,
                peer_id=hospital.peers["cara"],
                replaces_peer_id=hospital.peers["ben"],
                tier="peer",
                starts_at=tuesday - timedelta(hours=12),
                ends_at=tuesday + timedelta(hours=36),
            )
        )

    async def home_of(name: str) -> str:
        status = await hospital.statuses.peer_status(hospital.person(name))
        return home.home("en", status, pulse_opted_in=False).plain_text()

    assert "You are on call now, until Tue 24 Nov, 08:00." in await home_of("ana")
    assert "Your next time on call: Thu 26 Nov, 08:00 to Fri 27 Nov, 08:00." in await home_of("ben")
    assert "You have no open cases." in await home_of("ben")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert f"Open cases you have accepted: {request_id[:6].upper()}" in await home_of("ana")


async def test_two_weeks_of_coming_shifts(hospital: Hospital) -> None:
    for name in ("ana", "ben"):
        await hospital.add_peer(name, on_call=False)
    await add_rotation(hospital, ["ana", "ben"])
    start = datetime(2026, 11, 23, 12, tzinfo=UTC)
    async with hospital.database.session() as session:
        organisation = await session.get(Organisation, hospital.organisation_id)
        assert organisation is not None
        shifts = await coming_shifts(session, organisation, start, start + timedelta(days=14))
    assert len(shifts) == 15  # the one running now, then one a day
    assert shifts[0].starts_at <= start < shifts[0].ends_at
    assert [shift.peer_id for shift in shifts[:2]] == [hospital.peers["ana"], hospital.peers["ben"]]


async def eligible_names(hospital: Hospital, request_id: str) -> list[str]:
    async with hospital.database.session() as session:
        organisation = await session.get(Organisation, hospital.organisation_id)
        request = await session.get(SupportRequest, request_id)
        assert organisation is not None and request is not None
        peers = await eligible_peers(session, organisation, request, Tier.PEER, hospital.clock())
    by_id = {peer_id: name for name, peer_id in hospital.peers.items()}
    return [by_id[peer.id] for peer in peers]


async def test_eligibility_skips_and_prefers(hospital: Hospital) -> None:
    await hospital.add_peer("ana", unit="ICU", languages=["en"])
    await hospital.add_peer("ben", unit="Maternity", languages=["en", "es"])
    await hospital.add_peer("cara", languages=["en"], training_valid_until=date(2026, 1, 1))
    await hospital.add_peer("dan", languages=["en"], caseload_cap=1)
    await hospital.add_peer("dana", languages=["es"])  # the requester is a peer too

    async def ask(**form: object) -> str:
        form = {"urgency": "today", "category": "other", "contact": "chat", **form}
        submitted = await hospital.requests.request_support(
            hospital.person("dana"), IntakeForm.model_validate(form)
        )
        return submitted.request_id

    first = await ask(language="es")
    # Cara's training lapsed, Dana is the requester; Ben speaks Spanish so he comes first.
    assert await eligible_names(hospital, first) == ["ben", "ana", "dan"]

    # Ana's unit is excluded only when asked.
    second = await ask(exclude_own_unit=True, unit=" icu ")
    assert "ana" not in await eligible_names(hospital, second)
    third = await ask(unit="ICU")
    assert "ana" in await eligible_names(hospital, third)

    # Dan accepts: at his cap of one case he is skipped; having helped Dana, he'd come first.
    await hospital.run_jobs()
    await hospital.offers.accept(hospital.person("dan"), hospital.offer_id("dan"))
    fourth = await ask()
    assert "dan" not in await eligible_names(hospital, fourth)
    async with hospital.database.session() as session, session.begin():
        dan = await session.get(Peer, hospital.peers["dan"])
        assert dan is not None
        dan.caseload_cap = 5
    assert (await eligible_names(hospital, fourth))[0] == "dan"
