"""A broadcast offer to a whole tier is written in a few statements whatever its size, and the
peers' offers go out before the requester's confirmation.

(SQLite cannot say in which order a multi-row INSERT returned its ids, so SQLAlchemy writes
there one row per INSERT, in process; on PostgreSQL the rows go together.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from handlers.support.first_offers import route_new
from handlers.support.intake import IntakeForm
from models import AuditEvent, DueJob, Offer
from models.db import Database
from tests.hospital import Hospital

FORM = {"urgency": "now", "category": "adverse_event", "contact": "phone"}


@contextmanager
def counted_statements(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def statements_to_ask(hospital: Hospital, name: str) -> tuple[list[str], list[str]]:
    """The statements of storing a request (the web process), then of its routing job."""
    with counted_statements(hospital.database) as storing:
        submitted = await hospital.requests.request_support(
            hospital.person(name), IntakeForm.model_validate(FORM)
        )
    with counted_statements(hospital.database) as routing:
        async with hospital.database.session() as session, session.begin():
            assert await route_new(session, submitted.request_id, hospital.clock()) == "offered"
    return storing, routing


def reads(statements: list[str]) -> int:
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements)


async def test_a_bigger_roster_costs_no_more_statements(hospital: Hospital) -> None:
    for number in range(3):
        await hospital.add_peer(f"peer{number}")
    stored_few, few = await statements_to_ask(hospital, "rita")
    for number in range(3, 40):
        await hospital.add_peer(f"peer{number}")
    stored_many, many = await statements_to_ask(hospital, "sam")
    assert len(stored_many) == len(stored_few)  # storing never looks at the roster
    assert reads(many) <= reads(few)  # no read per peer
    if hospital.database.is_postgres:  # where SQLAlchemy writes many rows in one INSERT
        assert len(many) <= len(few), (len(few), len(many))
    async with hospital.database.session() as session:
        offers = await session.scalar(select(func.count()).select_from(Offer))
        shown = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "offer_shown")
        )
        jobs = await session.scalar(
            select(func.count())
            .select_from(DueJob)
            .where(DueJob.idempotency_key.like("deliver:offer:%"))
        )
    assert offers == shown == jobs == 3 + 40


async def test_every_peer_gets_one_offer_with_its_own_buttons(hospital: Hospital) -> None:
    for number in range(5):
        await hospital.add_peer(f"peer{number}")
    await hospital.ask("rita")
    seen: set[str] = set()
    for number in range(5):
        [offer] = [
            sent for sent in hospital.slack.to(f"UPEER{number}") if sent.message.kind == "offer"
        ]
        values = {button.value for button in offer.message.buttons}
        assert len(values) == 1  # accept and decline name this peer's offer
        seen |= values
    assert len(seen) == 5
    await hospital.offers.accept(hospital.person("peer3"), int(seen.pop()))  # any of them works


async def test_offers_go_out_before_the_requesters_confirmation(hospital: Hospital) -> None:
    for number in range(3):
        await hospital.add_peer(f"peer{number}")
    await hospital.ask("rita")
    # The offers' jobs are due ahead of the confirmation's, so a worker claims them first; a
    # batch then sends to different people side by side, so arrival order is not fixed.
    async with hospital.database.session() as session:
        jobs = list(await session.scalars(select(DueJob).order_by(DueJob.run_at, DueJob.id)))
    kinds = [job.payload["message"]["kind"] for job in jobs if job.kind == "deliver"]
    assert kinds[:3] == ["offer", "offer", "offer"] and "offer" not in kinds[3:]
    assert len([sent for sent in hospital.slack.sent if sent.message.kind == "offer"]) == 3
    assert any(sent.to == "URITA" for sent in hospital.slack.sent)
