"""Coordinator tools: who may change the roster, imports, training, coverage gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from handlers.core.people import Person
from handlers.roster.access import NotAllowed
from handlers.roster.admin import PeerFields, RosterAdmin
from handlers.roster.imports import RosterImports
from handlers.roster.watch import RosterWatch
from models import AuditEvent, Override, Tier
from tests.hospital import TENANT, Hospital


def someone(name: str) -> Person:
    return Person(platform="slack", tenant_id=TENANT, user_id=f"U{name.upper()}", display_name=name)


@pytest.fixture
async def admin(hospital: Hospital) -> RosterAdmin:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana", on_call=False)
    return RosterAdmin(hospital.database, clock=hospital.clock)


def admin_actions(hospital: Hospital, admin: RosterAdmin, actor: Person):  # noqa: ANN201
    org, ana = hospital.organisation_id, hospital.peers["ana"]
    now = hospital.clock()
    return {
        "add_peer": lambda: admin.add_peer(actor, org, someone("zoe"), PeerFields()),
        "remove_peer": lambda: admin.remove_peer(actor, org, ana),
        "add_rotation": lambda: admin.add_rotation(
            actor, org, name="Days", tier=Tier.PEER, starts_on=date(2026, 11, 1),
            handoff_time=time(8), shift_hours=24, peer_ids=[ana],
        ),
        "add_override": lambda: admin.add_override(
            actor, org, peer_id=ana, tier=Tier.PEER, starts_at=now,
            ends_at=now + timedelta(hours=8),
        ),
        "update_settings": lambda: admin.update_settings(actor, org, offer_mode="sequential"),
        "import_peers_csv": lambda: imports(admin).import_peers_csv(
            actor, org, "platform,tenant,user_id\nslack,T1,U9\n", apply=True
        ),
        "import_rotation_ical": lambda: imports(admin).import_rotation_ical(
            actor, org, ICAL, tier=Tier.PEER, start=now, end=now + timedelta(days=7), apply=True
        ),
    }  # fmt: skip


def imports(admin: RosterAdmin) -> RosterImports:
    return RosterImports(admin.database, admin.clock)


ACTIONS = [
    "add_peer", "remove_peer", "add_rotation", "add_override", "update_settings",
    "import_peers_csv", "import_rotation_ical",
]  # fmt: skip


@pytest.mark.parametrize("action", ACTIONS)
async def test_only_coordinators_may_change_the_roster(
    hospital: Hospital, admin: RosterAdmin, action: str
) -> None:
    async def audit_count() -> int:
        async with hospital.database.session() as session:
            return len(list(await session.scalars(select(AuditEvent))))

    before = await audit_count()
    for outsider in (hospital.person("ana"), someone("stranger")):
        with pytest.raises(NotAllowed):
            await admin_actions(hospital, admin, outsider)[action]()
    assert await audit_count() == before, "a refused action changed something"
    await admin_actions(hospital, admin, hospital.person("cy"))[action]()
    async with hospital.database.session() as session:
        last = await session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert last is not None and last.actor == f"peer:{hospital.peers['cy']}"


async def test_a_csv_import_previews_reports_bad_rows_and_applies(
    hospital: Hospital, admin: RosterAdmin
) -> None:
    text = (
        "platform,tenant,user_id,name,tier,unit,languages,cap,trained_until\n"
        f"slack,{TENANT},UANA,Ana,backup,ICU,en;es,3,2027-05-01\n"
        f"slack,{TENANT},UNEW,Nuria,peer,ER,es,2,\n"
        "fax,T1,U1,Bad platform,peer,,,,\n"
        f"slack,{TENANT},UX,Xavi,wizard,,,,\n"
        f"slack,{TENANT},UY,Yara,peer,,,two,\n"
    )
    preview = await imports(admin).import_peers_csv(
        None, hospital.organisation_id, text, apply=False
    )
    assert (preview.added, preview.updated) == (["Nuria"], ["Ana"])
    assert [line for line, _ in preview.errors] == [4, 5, 6]
    assert "platform must be slack or teams" in preview.errors[0][1]
    assert "tier:" in preview.errors[1][1]
    assert len(await admin.peers(hospital.organisation_id)) == 2  # nothing changed yet

    refused = await imports(admin).import_peers_csv(
        None, hospital.organisation_id, text, apply=True
    )
    assert not refused.applied  # all or nothing
    assert len(await admin.peers(hospital.organisation_id)) == 2

    applied = await imports(admin).import_peers_csv(
        None, hospital.organisation_id, text, apply=True, partial=True
    )
    assert applied.applied
    peers = {
        identity.display_name: peer
        for peer, identity in await admin.peers(hospital.organisation_id)
    }
    assert set(peers) == {"Cy", "Ana", "Nuria"}
    ana = peers["Ana"]
    assert (ana.tier, ana.unit, ana.languages, ana.caseload_cap) == (
        "backup",
        "ICU",
        ["en", "es"],
        3,
    )


ICAL = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:weekly-ana@test
SUMMARY:Peer support on call: Ana
DTSTART;TZID=Europe/Madrid:20260323T080000
DTEND;TZID=Europe/Madrid:20260324T080000
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:ghost@test
SUMMARY:On call: Somebody Unknown
DTSTART;TZID=Europe/Madrid:20260325T080000
DTEND;TZID=Europe/Madrid:20260326T080000
END:VEVENT
END:VCALENDAR
"""


async def test_an_ical_import_expands_recurrences_across_a_dst_change(
    hospital: Hospital, admin: RosterAdmin
) -> None:
    await hospital.setup(time_zone="Europe/Madrid")
    start = datetime(2026, 3, 20, tzinfo=UTC)
    end = datetime(2026, 4, 30, tzinfo=UTC)
    preview = await imports(admin).import_rotation_ical(
        None, hospital.organisation_id, ICAL, tier=Tier.PEER, start=start, end=end, apply=False
    )
    assert len(preview.added) == 3
    assert [reason for _, reason in preview.errors] == [
        "On call: Somebody Unknown on 2026-03-25: names no peer on the roster"
    ]
    await imports(admin).import_rotation_ical(
        None, hospital.organisation_id, ICAL, tier=Tier.PEER, start=start, end=end, apply=True
    )
    async with hospital.database.session() as session:
        overrides = list(await session.scalars(select(Override).order_by(Override.starts_at)))
    # 08:00 in Madrid is 07:00 UTC before 29 March and 06:00 UTC after it.
    assert [(o.starts_at.hour, o.peer_id) for o in overrides] == [
        (7, hospital.peers["ana"]),
        (6, hospital.peers["ana"]),
        (6, hospital.peers["ana"]),
    ]
    assert [o.starts_at.date() for o in overrides] == [
        date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6)
    ]  # fmt: skip
    # The same feed read again (a nightly import) adds nothing and says so.
    again = await imports(admin).import_rotation_ical(
        None, hospital.organisation_id, ICAL, tier=Tier.PEER, start=start, end=end, apply=True
    )
    assert again.added == [] and len(again.unchanged) == 3
    async with hospital.database.session() as session:
        assert len(list(await session.scalars(select(Override)))) == 3


ATTENDEE_ICAL = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:night@test
SUMMARY:Night cover
ATTENDEE;CN=Ana:mailto:ana@hospital.example
DTSTART:20261201T200000Z
DURATION:PT12H
END:VEVENT
END:VCALENDAR
"""


async def test_an_ical_event_naming_its_peer_as_attendee_with_a_duration(
    hospital: Hospital, admin: RosterAdmin
) -> None:
    start = datetime(2026, 11, 30, tzinfo=UTC)
    report = await imports(admin).import_rotation_ical(
        None, hospital.organisation_id, ATTENDEE_ICAL, tier=Tier.PEER,
        start=start, end=start + timedelta(days=7), apply=True,
    )  # fmt: skip
    assert report.errors == []
    async with hospital.database.session() as session:
        [override] = list(await session.scalars(select(Override)))
    assert override.peer_id == hospital.peers["ana"]
    assert (override.starts_at, override.ends_at) == (
        datetime(2026, 12, 1, 20, tzinfo=UTC),
        datetime(2026, 12, 2, 8, tzinfo=UTC),
    )


async def test_a_broken_calendar_is_reported_not_raised(
    hospital: Hospital, admin: RosterAdmin
) -> None:
    now = hospital.clock()
    report = await imports(admin).import_rotation_ical(
        None, hospital.organisation_id, b"not a calendar", tier=Tier.PEER,
        start=now, end=now + timedelta(days=1), apply=True,
    )  # fmt: skip
    assert report.errors and not report.added


async def test_training_reminders_then_lapse_out_of_routing(hospital: Hospital) -> None:
    await hospital.add_peer("ana", training_valid_until=date(2026, 12, 20))
    await hospital.add_peer("ben")
    watch = RosterWatch(hospital.core)
    await watch.check_training()
    await hospital.run_jobs()
    assert "notice" in hospital.inbox("ana") and hospital.inbox("ben") == []
    assert "valid until 2026-12-20" in hospital.last("ana").message.plain_text()
    await watch.check_training()  # the same reminder is not sent twice
    await hospital.run_jobs()
    assert hospital.inbox("ana").count("notice") == 1
    assert [p.id for p in await watch.lapsing(hospital.organisation_id)] == [hospital.peers["ana"]]

    hospital.clock.now = datetime(2026, 12, 21, 12, tzinfo=UTC)
    await hospital.ask("dana")
    assert "offer" not in hospital.inbox("ana") and "offer" in hospital.inbox("ben")
    await watch.check_training()
    await hospital.run_jobs()
    assert "training lapsed on 2026-12-20" in hospital.last("ana").message.plain_text()


async def test_a_coming_gap_in_cover_is_warned_once(hospital: Hospital) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana", on_call=False)
    now = hospital.clock()  # Monday 14:00 UTC
    async with hospital.database.session() as session, session.begin():
        session.add(
            Override(
                organisation_id=hospital.organisation_id, peer_id=hospital.peers["ana"],
                tier="peer", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5),
            )
        )  # fmt: skip
    watch = RosterWatch(hospital.core)
    assert await watch.warn_coverage_gaps() == 1
    await hospital.run_jobs()
    warning = hospital.last("cy").message.plain_text()
    assert "Nobody eligible will be on call" in warning and "19:00" in warning
    hospital.clock.advance(hours=1)
    await watch.warn_coverage_gaps()
    await hospital.run_jobs()
    assert hospital.inbox("cy").count("notice") == 1
    assert hospital.inbox("ana") == []  # only coordinators are warned


async def test_nobody_able_to_take_a_request_now_is_warned_once_a_day(hospital: Hospital) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana", caseload_cap=1)
    watch = RosterWatch(hospital.core)
    assert await watch.warn_coverage_gaps() == 0  # Ana can take one
    await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    assert await watch.warn_coverage_gaps() == 1  # at her cap: nobody can take the next one
    await hospital.run_jobs()
    warning = hospital.last("cy", "notice").message.plain_text()
    assert "Right now nobody trained and available is on call" in warning
    hospital.clock.advance(hours=2)
    await watch.warn_coverage_gaps()
    await hospital.run_jobs()
    assert hospital.inbox("cy").count("notice") == 1  # once a day while it lasts
    hospital.clock.advance(days=1)
    await watch.warn_coverage_gaps()
    await hospital.run_jobs()
    assert hospital.inbox("cy").count("notice") == 2
