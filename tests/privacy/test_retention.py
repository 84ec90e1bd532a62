"""Retention purge and erasure leave no personal data in any column."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from config.settings import ConfigError
from handlers.core.outbox import deliver
from handlers.core.people import identity_for, lookup_key
from handlers.core.ports import Message
from handlers.privacy.erasure import Erasure
from handlers.privacy.retention import Retention
from models import (
    ChatIdentity,
    DueJob,
    GroupSession,
    Organisation,
    ReachInEvent,
    ReachInInvite,
    SupportRequest,
)
from models.crypto import vault
from tests.hospital import Hospital
from tests.support.test_confidentiality import raw_database_values

MARKERS = ("Dana", "UDANA", "Ward Lilac 9", "NOTE-SECRET-4471", "07700 900461")


async def every_value_decrypted(hospital: Hospital) -> list[str]:
    """Every value in the database, with encrypted ones decrypted: what a key holder could read."""
    values = []
    for value in await raw_database_values(hospital):
        try:
            values.append(vault().decrypt(value))
        except ConfigError:  # not a token: a plain value
            values.append(value)
    return values


async def test_purge_after_the_retention_period_keeps_only_counts(hospital: Hospital) -> None:
    await hospital.setup(retention_days=90)
    await hospital.add_peer("ana")
    request_id = await hospital.ask(
        "dana", note="NOTE-SECRET-4471", unit="Ward Lilac 9", phone="07700 900461"
    )
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    await hospital.run_jobs()
    retention = Retention(hospital.core)

    hospital.clock.advance(days=89)
    assert await retention.purge() == 0
    hospital.clock.advance(days=2)
    await hospital.run_jobs()  # the check-ins went out meanwhile
    assert await retention.purge() == 1

    async with hospital.database.session() as session:
        request = await session.get(SupportRequest, request_id)
    assert request is not None and request.requester_id is None and request.note is None
    assert (request.urgency, request.category, request.status) == ("now", "adverse_event", "closed")
    assert await hospital.count(ChatIdentity) == 1  # only Ana, who is on the roster
    values = await every_value_decrypted(hospital)
    assert any("adverse_event" in value for value in values), "the scan must see the data"
    for marker in MARKERS:
        assert not any(marker in value for value in values), marker


async def test_requests_never_closed_are_ended_and_purged_too(hospital: Hospital) -> None:
    """Nobody answered one, the other was accepted and left open: neither keeps its requester
    past the retention period. Cancelled check-ins, which never ran, go as well."""
    await hospital.setup(retention_days=90)
    await hospital.add_peer("ana")
    unanswered = await hospital.ask(
        "dana", note="NOTE-SECRET-4471", unit="Ward Lilac 9", phone="07700 900461"
    )
    left_open = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.run_jobs()
    retention = Retention(hospital.core)

    hospital.clock.advance(days=89)
    assert await retention.purge() == 0
    hospital.clock.advance(days=2)
    await hospital.run_jobs()
    assert await retention.purge() == 2
    async with hospital.database.session() as session:
        for request_id in (unanswered, left_open):
            request = await session.get(SupportRequest, request_id)
            assert request is not None and request.requester_id is None
            assert (request.status, request.closed_by) == ("closed", "retention")
        left = await session.scalars(select(DueJob.status))
        assert "cancelled" not in list(left)
    values = await every_value_decrypted(hospital)
    for marker in MARKERS:
        assert not any(marker in value for value in values), marker


async def test_forget_me_withdraws_erases_and_stops_check_ins(hospital: Hospital) -> None:
    await hospital.add_peer("ana")
    first = await hospital.ask("dana", note="NOTE-SECRET-4471", anonymous=True)
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.relay.pass_on(hospital.person("dana"), "RELAY-SECRET-1187")
    await hospital.relay.pass_on(hospital.person("ana"), "ANSWER-SECRET-5523")
    await hospital.run_jobs()
    await hospital.cases.close(hospital.person("ana"), first)
    second = await hospital.ask("dana", phone="07700 900461")
    erasure = Erasure(hospital.core, hospital.cases)

    view = await erasure.forget(hospital.person("dana"))
    assert "Your data has been erased" in view.plain_text()
    await hospital.run_jobs()
    async with hospital.database.session() as session:
        for request_id in (first, second):
            request = await session.get(SupportRequest, request_id)
            assert request is not None and request.requester_id is None and request.note is None
        assert (await session.get(SupportRequest, second)).status == "withdrawn"  # type: ignore[union-attr]
    hospital.clock.advance(days=40)
    await hospital.run_jobs()
    assert "checkin" not in hospital.inbox("dana")
    values = await every_value_decrypted(hospital)
    for marker in (*MARKERS, "RELAY-SECRET-1187", "ANSWER-SECRET-5523"):
        assert not any(marker in value for value in values), marker
    again = await erasure.forget(hospital.person("dana"))
    assert "hold no data" in again.plain_text()


async def test_an_identity_purged_takes_its_queued_messages_with_it(hospital: Hospital) -> None:
    """SQLite may give a deleted identity's id to someone new: nothing queued for the old one
    may be left to reach them."""
    await hospital.setup()
    async with hospital.database.session() as session, session.begin():
        organisation = await session.get(Organisation, hospital.organisation_id)
        assert organisation is not None
        zoe = await identity_for(session, organisation, hospital.person("zoe"))
        await deliver(
            session,
            to=zoe,
            message=Message(kind="notice", lines=["for Zoe only"]),
            key="zoe-later",
            now=hospital.clock() + timedelta(days=1),
        )
    await Retention(hospital.core).purge()
    assert await hospital.count(ChatIdentity) == 0
    assert await hospital.count(DueJob) == 0


async def test_a_short_retention_takes_the_check_ins_still_to_come(hospital: Hospital) -> None:
    await hospital.setup(retention_days=2, follow_up_offsets_days=[1, 30])
    await hospital.add_peer("ana")
    request_id = await hospital.ask("dana")
    await hospital.offers.accept(hospital.person("ana"), hospital.offer_id("ana"))
    await hospital.cases.close(hospital.person("ana"), request_id)
    hospital.clock.advance(days=3)
    await hospital.run_jobs()  # the first check-in went out
    assert await Retention(hospital.core).purge() == 1
    async with hospital.database.session() as session:
        left = list(await session.scalars(select(DueJob.kind).where(DueJob.status == "pending")))
    assert "follow_up" not in left  # the 30-day check-in went with Dana's identity
    assert await hospital.count(ChatIdentity) == 1  # Ana, on the roster


async def test_forget_me_finds_the_persons_jobs_without_reading_anyone_elses(
    hospital: Hospital, monkeypatch
) -> None:
    """Jobs carry their recipient's keyed hash (never the platform id), so forgetting a person
    deletes theirs through an index: other people's queued messages are neither read (decrypted)
    nor touched."""
    from models.types import EncryptedJSON

    await hospital.add_peer("ana")
    await hospital.ask("dana")
    now = hospital.clock()
    async with hospital.database.session() as session, session.begin():
        organisation = await session.get(Organisation, hospital.organisation_id)
        assert organisation is not None
        ana = await identity_for(session, organisation, hospital.person("ana"))
        for number in range(40):
            await deliver(
                session,
                to=ana,
                message=Message(kind="notice", lines=["hi"]),
                key=f"ana:{number}",
                now=now,
            )
    async with hospital.database.session() as session:
        keys = dict((await session.execute(select(DueJob.id, DueJob.recipient_key))).all())
    dana = hospital.person("dana")
    dana_key = lookup_key(dana.platform, dana.tenant_id, dana.user_id)
    assert dana_key in keys.values()
    assert dana.user_id not in "".join(filter(None, keys.values()))
    decrypted = 0
    original = EncryptedJSON.process_result_value

    def counting(self, value, dialect):  # noqa: ANN001, ANN202 - the TypeDecorator's signature
        nonlocal decrypted
        decrypted += 1
        return original(self, value, dialect)

    monkeypatch.setattr(EncryptedJSON, "process_result_value", counting)
    await Erasure(hospital.core, hospital.cases).forget(hospital.person("dana"))
    assert decrypted < 10  # the person's own rows at most, not the 40 queued for Ana
    async with hospital.database.session() as session:
        left = list(await session.scalars(select(DueJob.recipient_key)))
    assert dana_key not in left
    assert left.count(ana.lookup_key) >= 40


async def test_a_reach_in_past_the_retention_period_keeps_only_its_counts(
    hospital: Hospital,
) -> None:
    """The event's units, note and whom it reached go, with its invitations and group
    sessions; its day, category and counts stay for the figures."""
    await hospital.setup(retention_days=30)
    dana = hospital.person("dana")
    async with hospital.database.session() as session, session.begin():
        organisation = await session.get(Organisation, hospital.organisation_id)
        assert organisation is not None
        identity = await identity_for(session, organisation, dana)
        now = hospital.clock()
        event = ReachInEvent(
            organisation_id=organisation.id,
            occurred_on=now.date(),
            category="patient_death",
            units=["Ward Lilac 9"],
            note="NOTE-SECRET-4471",
            recipients=[identity.id],
            recorded_by="admin:cli",
            recorded_at=now,
            reached=1,
            talk=1,
        )
        session.add(event)
        await session.flush()
        session.add(ReachInInvite(event_id=event.id, identity_id=identity.id))
        session.add(
            GroupSession(
                event_id=event.id,
                starts_at=now + timedelta(days=1),
                ends_at=now + timedelta(days=1, hours=1),
                place="Room NOTE-SECRET-4471",
                created_by="admin:cli",
            )
        )
    retention = Retention(hospital.core)
    hospital.clock.advance(days=29)
    await retention.purge()
    assert await hospital.count(ReachInInvite) == 1  # within the period: kept
    hospital.clock.advance(days=2)
    await retention.purge()

    async with hospital.database.session() as session:
        [kept] = list(await session.scalars(select(ReachInEvent)))
    assert (kept.units, kept.note, kept.recipients) == (None, None, None)
    assert (kept.category, kept.reached, kept.talk) == ("patient_death", 1, 1)
    assert await hospital.count(ReachInInvite) == 0
    assert await hospital.count(GroupSession) == 0
    values = await every_value_decrypted(hospital)
    for marker in ("Ward Lilac 9", "NOTE-SECRET-4471"):
        assert not any(marker in value for value in values), marker
