"""Peers know when they are on, on Slack: a direct message 30 minutes before each stretch on
call, at the right local time across a daylight-saving change (Madrid, 28 March 2027); the
open request nobody took handed to the peer whose stretch starts; and Monday's note of the
week's shifts. A rota changed after the notice was planned sends no stale notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import delete, update

from handlers.roster.admin import RosterAdmin
from models import Organisation, Rotation, Tier
from tests.slack.conftest import FORM, SlackWorld


async def madrid_rotation(slack: SlackWorld) -> tuple[int, int]:
    """Ana and Ben take turns, 24 hours from 08:00 Madrid time, Ana first on 27 March 2027."""
    ana = await slack.make_peer("ana", on_call=False)
    ben = await slack.make_peer("ben", on_call=False)
    async with slack.runtime.database.session() as session, session.begin():
        changed = update(Organisation).values(time_zone="Europe/Madrid")
        organisation_id = (await session.execute(changed.returning(Organisation.id))).scalar_one()
    await RosterAdmin(slack.runtime.database).add_rotation(
        None,
        organisation_id,
        name="Days",
        tier=Tier.PEER,
        starts_on=date(2027, 3, 27),
        handoff_time=time(8, 0),
        shift_hours=24,
        peer_ids=[ana, ben],
    )
    return ana, ben


async def at(slack: SlackWorld, moment: datetime) -> None:
    slack.clock.now = moment
    await slack.runtime.shift_notices.schedule_due()
    await slack.run_jobs()


def notices(slack: SlackWorld, name: str) -> list[str]:
    return [m.readable for m in slack.inbox(name) if "Your time on call starts soon" in m.readable]


async def test_notices_come_thirty_minutes_before_across_the_clock_change(slack: SlackWorld):
    await madrid_rotation(slack)
    await at(slack, datetime(2027, 3, 27, 3, 0, tzinfo=UTC))
    await at(slack, datetime(2027, 3, 27, 6, 29, tzinfo=UTC))
    assert notices(slack, "ana") == []
    await at(slack, datetime(2027, 3, 27, 6, 30, tzinfo=UTC))  # 07:30 in Madrid (CET)
    [ana] = notices(slack, "ana")
    assert "from Sat 27 Mar, 08:00 until Sun 28 Mar, 08:00" in ana and "Europe/Madrid" in ana
    await at(slack, datetime(2027, 3, 27, 6, 45, tzinfo=UTC))
    assert len(notices(slack, "ana")) == 1  # once

    # The clocks go forward at 02:00 on the 28th: Ben's 08:00 is now 06:00 UTC.
    await at(slack, datetime(2027, 3, 28, 1, 0, tzinfo=UTC))
    await at(slack, datetime(2027, 3, 28, 5, 29, tzinfo=UTC))
    assert notices(slack, "ben") == []
    await at(slack, datetime(2027, 3, 28, 5, 30, tzinfo=UTC))  # 07:30 in Madrid (CEST)
    [ben] = notices(slack, "ben")
    assert "from Sun 28 Mar, 08:00 until Mon 29 Mar, 08:00" in ben

    # Monday 08:00 in Madrid: each peer's shifts for the coming week.
    await at(slack, datetime(2027, 3, 29, 5, 59, tzinfo=UTC))
    assert not [m for m in slack.inbox("ana") if "coming week" in m.readable]
    await at(slack, datetime(2027, 3, 29, 6, 0, tzinfo=UTC))
    await at(slack, datetime(2027, 3, 29, 6, 5, tzinfo=UTC))
    [week] = [m.readable for m in slack.inbox("ana") if "coming week" in m.readable]
    assert "Mon 29 Mar, 08:00 until Tue 30 Mar, 08:00" in week
    assert "Wed 31 Mar, 08:00 until Thu 1 Apr, 08:00" in week


async def test_a_handoff_hands_the_open_request_to_the_peer_who_comes_on(slack: SlackWorld):
    await madrid_rotation(slack)
    slack.clock.now = datetime(2027, 3, 27, 10, 0, tzinfo=UTC)
    await slack.command("rita")
    await slack.submit("rita", {**FORM, "urgency": "week"})
    await slack.run_jobs()
    assert len(slack.offers("ana")) == 1 and slack.offers("ben") == []
    await at(slack, datetime(2027, 3, 28, 1, 0, tzinfo=UTC))
    await at(slack, datetime(2027, 3, 28, 6, 0, tzinfo=UTC))  # Ben's stretch starts
    assert len(slack.offers("ben")) == 1
    assert any("handed to you: 1" in m.readable for m in slack.inbox("ben"))


async def test_a_rota_changed_after_planning_sends_no_stale_notice(slack: SlackWorld):
    await madrid_rotation(slack)
    await at(slack, datetime(2027, 3, 27, 3, 0, tzinfo=UTC))  # notice planned for 06:30
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(delete(Rotation))
    await at(slack, datetime(2027, 3, 27, 6, 30, tzinfo=UTC))
    assert notices(slack, "ana") == []
