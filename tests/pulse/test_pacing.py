"""The pulse goes out at its platform's window: a burst of the window's allowance, then the
next window's, with fewer first contacts where opening a conversation has a lower limit.

A fake clock steps minute by minute and counts what reached the messenger in each minute.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from handlers.core.people import find_identity
from handlers.core.ports import Address, Messengers, SendWindow
from handlers.pulse.pacing import WindowSchedule
from handlers.pulse.rounds import Pulses
from models import DueJob
from tests.hospital import Hospital

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 11:00 in Madrid, the round's time


def _known(to: Address) -> bool:
    return bool(to.data.get("reachable"))


# Four messages a minute, two of them at most to people never written to.
WINDOW = SendWindow(
    per_window=4,
    window=timedelta(minutes=1),
    first_contacts=2,
    is_first_contact=lambda to: not _known(to),
)


def test_a_window_takes_its_allowance_then_the_next_window_the_rest() -> None:
    schedule = WindowSchedule(WINDOW, START)
    known = [schedule.next_send(False) for _ in range(6)]
    assert [int((at - START) / timedelta(minutes=1)) for at in known] == [0, 0, 0, 0, 1, 1]
    # first contacts: two a window, in the windows with room left
    new = [schedule.next_send(True) for _ in range(5)]
    assert [int((at - START) / timedelta(minutes=1)) for at in new] == [1, 1, 2, 2, 3]


def test_first_contacts_do_not_hold_back_people_already_reachable() -> None:
    schedule = WindowSchedule(WINDOW, START)
    order = [True, True, True, True, False, False, False, False]
    minutes = [int((schedule.next_send(new) - START).total_seconds() // 60) for new in order]
    assert minutes == [0, 0, 1, 1, 0, 0, 1, 1]


def test_without_a_first_contact_limit_only_the_window_counts() -> None:
    schedule = WindowSchedule(SendWindow(per_window=3, window=timedelta(seconds=1)), START)
    seconds = [(schedule.next_send(True) - START).total_seconds() for _ in range(7)]
    assert seconds == [0, 0, 0, 1, 1, 1, 2]


async def test_a_round_goes_out_at_the_window_counted_per_minute(hospital: Hospital) -> None:
    await hospital.setup(time_zone="Europe/Madrid", pulse_weekday=2, pulse_local_time=time(11))
    messengers = Messengers()
    messengers.register("slack", hospital.slack, WINDOW)
    pulses = Pulses(hospital.core, messengers)
    hospital.engine.handlers.update(pulses.job_handlers())
    staff = [f"staff{number}" for number in range(10)]
    for name in staff:
        await pulses.set_opt_in(hospital.person(name), True)
    reachable = staff[:4]  # written to before: no conversation to open
    async with hospital.database.session() as session, session.begin():
        for name in reachable:
            identity = await find_identity(session, hospital.person(name))
            assert identity is not None
            identity.address = {**(identity.address or {}), "reachable": True}

    hospital.clock.now = START
    assert await pulses.open_due_rounds() == 1
    reachable_ids = {hospital.person(name).user_id for name in reachable}
    sent_per_minute: list[Counter[str]] = []
    for _minute in range(6):
        before = len(hospital.slack.sent)
        await hospital.run_jobs()
        await hospital.run_jobs()  # the fan-out's deliveries, written by the first run
        kinds = Counter(
            "reachable" if sent.to in reachable_ids else "first contact"
            for sent in hospital.slack.sent[before:]
            if sent.message.kind == "pulse"
        )
        sent_per_minute.append(kinds)
        hospital.clock.advance(minutes=1)

    assert all(sum(kinds.values()) <= WINDOW.per_window for kinds in sent_per_minute)
    assert all(kinds["first contact"] <= 2 for kinds in sent_per_minute)
    # 6 first contacts at 2 a minute: 3 minutes, the 4 reachable people fill the room left
    assert [sum(kinds.values()) for kinds in sent_per_minute] == [4, 4, 2, 0, 0, 0]
    assert [kinds["first contact"] for kinds in sent_per_minute] == [2, 2, 2, 0, 0, 0]
    for name in staff:
        assert hospital.inbox(name) == ["pulse"]
    async with hospital.database.session() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(DueJob)
            .where(DueJob.kind == "deliver", DueJob.status == "pending")
        )
    assert pending == 0
