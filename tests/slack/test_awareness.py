"""Awareness on Slack, through /slack/events and the OAuth redirect: the installer's next steps;
new members introduced when the organisation turns it on (once, in their language); a reminder
every N weeks at the pulse's time, paced, never to anyone who said stop; the App Home describes
the peers as a group, never who is on call."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select, update

from handlers.reach_in.awareness import AWARENESS_FAN_OUT
from models import DueJob, Organisation, Tier
from tests.slack.conftest import SlackWorld, text_of
from tests.slack.test_oauth import install_t2, oauth  # noqa: F401  (the fixture)


async def settings(slack: SlackWorld, **values: object) -> None:
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(**values))


async def join(slack: SlackWorld, name: str, event_id: str | None = None) -> None:
    user = {"id": slack.user(name), "team_id": slack.team, "name": name, "is_bot": False}
    response = await slack.event({"type": "team_join", "user": user}, event_id=event_id)
    assert response.status == 200
    await slack.run_jobs()


async def test_the_installer_gets_the_next_steps(oauth: SlackWorld):  # noqa: F811
    oauth.user("admin")  # UADMIN, who approves the install
    await install_t2(oauth)
    await oauth.run_jobs()
    [steps] = oauth.inbox("admin")
    assert "Next steps" in steps.readable and "peer-support org link" in steps.readable


async def test_new_members_are_introduced_once_when_the_organisation_turns_it_on(
    slack: SlackWorld,
):
    await slack.make_peer("ana")
    await join(slack, "nuno")
    assert slack.inbox("nuno") == []  # off by default
    await settings(slack, welcome_new_staff=True)
    slack.user("nuria", locale="es-ES")
    await join(slack, "nuria", event_id="EvJoin1")
    await join(slack, "nuria", event_id="EvJoin2")  # joined again: introduced once only
    [intro] = slack.inbox("nuria")
    assert "El apoyo entre compañeros está aquí para ti" in intro.readable
    assert "1 compañeros formados" in intro.readable and "Ana" not in intro.readable
    assert intro.action_ids == ["support.start"]


async def test_the_home_tab_describes_the_peers_as_a_group(slack: SlackWorld):
    await slack.make_peer("ana")
    await slack.make_peer("ben", Tier.BACKUP)
    await slack.make_peer("cy", Tier.COORDINATOR)  # coordinators are not counted as peers
    home = text_of(await slack.open_home("rita"))
    assert "Our peer supporters: 2 colleagues trained to listen" in home
    assert "Who is on call is never shown" in home
    for name in ("Ana", "Ben", "Cy"):
        assert name not in home


async def test_a_reminder_every_two_weeks_paced_and_stop_is_honoured(slack: SlackWorld):
    await slack.make_peer("ana")
    for name in ("rita", "sam", "tom"):
        await slack.command(name, "pulse off")  # people the bot knows
    # Tuesday 1 December 2026, 11:00 UTC: the pulse's weekday and time, in a reminder week
    slack.clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    await settings(slack, pulse_weekday=1, pulse_local_time=time(11, 0))
    assert await slack.runtime.awareness.send_due_reminders() == 0  # off by default
    await settings(slack, awareness_every_weeks=2)
    slack.clock.now = datetime(2026, 12, 1, 11, 5, tzinfo=UTC)
    first = await slack.runtime.awareness.send_due_reminders()
    assert first + await slack.runtime.awareness.send_due_reminders() == 1  # queued once
    await slack.run_jobs()
    async with slack.runtime.database.session() as session:
        runs = sorted(
            job.run_at
            for job in await session.scalars(select(DueJob).where(DueJob.kind == "deliver"))
            if job.idempotency_key.startswith("deliver:awareness:")
        )
    assert len(runs) == 4 and (runs[-1] - runs[0]).total_seconds() == 0.75  # 4 a second
    slack.clock.advance(seconds=2)
    await slack.run_jobs()
    reminders = {name: slack.inbox(name)[-1] for name in ("ana", "rita", "sam", "tom")}
    assert all("A reminder: peer support is here" in m.readable for m in reminders.values())
    await slack.click("sam", reminders["sam"], "awareness.stop")
    assert "no more reminders" in slack.now(reminders["sam"]).readable

    slack.clock.now = datetime(2026, 12, 8, 11, 5, tzinfo=UTC)  # not a reminder week
    assert await slack.runtime.awareness.send_due_reminders() == 0
    slack.clock.now = datetime(2026, 12, 15, 11, 5, tzinfo=UTC)
    assert await slack.runtime.awareness.send_due_reminders() == 1
    await slack.run_jobs()
    slack.clock.advance(seconds=2)
    await slack.run_jobs()
    assert len([m for m in slack.inbox("rita") if "A reminder" in m.readable]) == 2
    assert len(slack.inbox("sam")) == 1  # the first, now saying "no more reminders"
    async with slack.runtime.database.session() as session:
        kinds = [job.kind for job in await session.scalars(select(DueJob))]
    assert kinds.count(AWARENESS_FAN_OUT) == 2
