"""Peers know when they are on, on Teams: the notice before a stretch on call reaches the peer's
Teams chat in their language, at the organisation's local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import update

from handlers.roster.admin import RosterAdmin
from models import Organisation, Override, Tier
from tests.teams.conftest import TeamsWorld, card_text


async def test_the_notice_reaches_a_teams_peer_in_their_language(teams: TeamsWorld):
    await teams.install("paz", "es-ES")
    paz = await teams.make_peer("paz")
    async with teams.runtime.database.session() as session, session.begin():
        changed = update(Organisation).values(time_zone="Europe/Madrid")
        organisation_id = (await session.execute(changed.returning(Organisation.id))).scalar_one()
        await session.execute(
            update(Override).values(ends_at=datetime(2026, 11, 23, 15, tzinfo=UTC))
        )
    await RosterAdmin(teams.runtime.database).add_rotation(
        None, organisation_id, name="Noches", tier=Tier.PEER, starts_on=date(2026, 11, 24),
        handoff_time=time(20, 0), shift_hours=12, peer_ids=[paz],
    )  # fmt: skip
    teams.clock.now = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    await teams.runtime.shift_notices.schedule_due()
    teams.clock.now = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # 19:30 in Madrid
    await teams.run_jobs()
    [notice] = [
        c.card for c in teams.inbox("paz") if "Tu guardia empieza pronto" in card_text(c.card)
    ]
    assert "Estás de guardia desde mar 24 nov, 20:00" in card_text(notice)  # her only rota
