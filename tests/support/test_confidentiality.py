"""The requester's identity and note appear nowhere but with the accepting peer.

Recognisable markers go in as the requester's name, platform id, unit and note; then every
message to anyone but the requester and the accepting peer, every log line and every raw
database value is searched for them.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from handlers.core.people import Person
from models import Base, Tier
from tests.hospital import TENANT, Hospital

IDENTIFYING = ("Zelda Quartermain", "UZELDA7731", "Ward Lilac 9", "07700 900461")
MARKERS = (*IDENTIFYING, "NOTE-SECRET-4471")


def requester() -> Person:
    return Person(
        platform="slack",
        tenant_id=TENANT,
        user_id="UZELDA7731",
        display_name="Zelda Quartermain",
        locale="en-GB",
    )


async def raw_database_values(hospital: Hospital) -> list[str]:
    values: list[str] = []
    async with hospital.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            values += [str(value) for row in rows for value in row]
    return values


@pytest.mark.parametrize("anonymous", [False, True])
async def test_identity_and_note_leak_nowhere(
    hospital: Hospital, caplog: pytest.LogCaptureFixture, anonymous: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    await hospital.add_peer("ana", unit="ICU")
    await hospital.add_peer("ben", unit="ICU")
    await hospital.add_peer("bo", Tier.BACKUP)
    await hospital.add_peer("cy", Tier.COORDINATOR)
    await hospital.add_peer("pat", Tier.PROFESSIONAL)
    hospital.people["zelda"] = requester()
    from handlers.support.intake import IntakeForm

    form = IntakeForm(
        urgency="now",
        category="violence",
        contact="phone",
        phone="07700 900461",
        unit="Ward Lilac 9",
        note="NOTE-SECRET-4471",
        anonymous=anonymous,
        crisis=True,
    )
    submitted = await hospital.requests.request_support(requester(), form)
    await hospital.run_jobs()
    # Everyone is asked in turn, the coordinator is alerted, then Ben accepts.
    hospital.clock.advance(minutes=10)
    await hospital.run_jobs()
    hospital.clock.advance(minutes=10)
    await hospital.run_jobs()
    accepted = await hospital.offers.accept(hospital.person("ben"), hospital.offer_id("ben"))
    await hospital.run_jobs()
    await hospital.relay.pass_on(requester(), "relay text")
    await hospital.cases.close(hospital.person("ben"), submitted.request_id)
    await hospital.run_jobs()

    outsiders = {"ana", "bo", "cy", "pat"}
    outsider_ids = {hospital.people[name].user_id for name in outsiders}
    seen = [
        message.plain_text() + repr(message.contact)
        for sent in hospital.slack.sent
        if sent.to in outsider_ids
        for message in [sent.message, *sent.updated]
    ]
    assert seen, "the outsiders received nothing: the test would prove nothing"
    assert {"offer", "coordinator.alert"} <= {
        sent.message.kind for sent in hospital.slack.sent if sent.to in outsider_ids
    }
    for marker in MARKERS:
        assert not any(marker in text for text in seen), f"{marker} reached a non-accepting peer"
        assert marker not in caplog.text, f"{marker} was logged"
        assert not any(marker in value for value in await raw_database_values(hospital)), (
            f"{marker} is stored in plain text"
        )

    shown_to_ben = accepted.plain_text() + repr(accepted.contact)
    # The note (which the form asks to keep free of identifiers) reaches the accepting peer in
    # both modes; in anonymous mode nothing that says who: not the name, id, unit or a number.
    assert "NOTE-SECRET-4471" in shown_to_ben
    if anonymous:
        assert not any(marker in shown_to_ben for marker in IDENTIFYING)
        ben_inbox = [s.message.plain_text() for s in hospital.slack.to("UBEN")]
        assert not any(marker in text for marker in IDENTIFYING for text in ben_inbox)
    else:
        assert "Zelda Quartermain" in shown_to_ben and "07700 900461" in shown_to_ben
