"""Awareness on Teams, through /api/messages: whoever adds the app where no programme is set up
gets the next steps; everyone is welcomed with how to ask and the peers as a group (never who is
on call); the reminder every N weeks reaches Teams people too, and "stop" is honoured."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import update

from models import Organisation, Tier
from tests.teams.conftest import TeamsWorld, card_text, verbs


async def test_the_first_to_add_the_app_gets_the_next_steps_then_everyone_the_welcome(
    teams: TeamsWorld,
):
    await teams.install("ines")
    [welcome, steps] = [call.card for call in teams.inbox("ines")]
    assert "support" in card_text(welcome).lower() and "Next steps" in card_text(steps)
    await teams.make_peer("ines", Tier.COORDINATOR)
    await teams.install("ana")
    await teams.make_peer("ana")
    await teams.install("rosa", "es-ES")
    [welcome] = [call.card for call in teams.inbox("rosa")]
    text = card_text(welcome)
    assert "Nuestro equipo de apoyo: 1 compañeros formados para escuchar" in text
    assert "Ana" not in text and "Ines" not in text


async def test_the_reminder_reaches_teams_and_stop_is_honoured(teams: TeamsWorld):
    for name in ("rita", "sam"):
        await teams.install(name)
    async with teams.runtime.database.session() as session, session.begin():
        await session.execute(
            update(Organisation).values(
                awareness_every_weeks=1, pulse_weekday=1, pulse_local_time=time(11, 0)
            )
        )
    teams.clock.now = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert await teams.runtime.awareness.send_due_reminders() == 1
    await teams.run_jobs()
    teams.clock.advance(seconds=2)
    await teams.run_jobs()
    reminder = teams.inbox("sam")[-1].card
    assert "awareness.stop" in verbs(reminder) and 'write "support"' in card_text(reminder)
    stopped = await teams.click("sam", "awareness.stop", {"value": "off"})
    assert "no more reminders" in card_text(stopped)
    teams.clock.now = datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
    assert await teams.runtime.awareness.send_due_reminders() == 1
    await teams.run_jobs()
    teams.clock.advance(seconds=2)
    await teams.run_jobs()
    assert len([c for c in teams.inbox("rita") if "awareness.stop" in verbs(c.card)]) == 2
    assert len([c for c in teams.inbox("sam") if "awareness.stop" in verbs(c.card)]) == 1
