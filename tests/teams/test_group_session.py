"""Group support on Teams, through /api/messages: the admin card's "Set up a group session"
form (a date and a time in the organisation's time zone); everyone the event reached and the
facilitator get the invitation, without buttons."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from models import Tier
from tests.teams.conftest import TeamsWorld, actions_of, card_text, verbs
from tests.teams.test_flow import on_call
from tests.teams.test_reach_in import event, inbox
from tests.teams.test_roster_cards import inputs, open_form, send

PEOPLE = ("rita", "sam", "tom", "una", "val", "wes")


async def test_a_group_session_set_up_from_the_admin_card(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    await on_call(teams, "pat", tier=Tier.PROFESSIONAL)
    for name in PEOPLE:
        await teams.install(name)
    form = await open_form(teams, "cy", "record_event")
    done = await send(teams, "cy", form, event(teams, PEOPLE))
    assert "a group session often helps" in card_text(done)
    form = await open_form(teams, "cy", "group_session")
    [pat] = [c["value"] for c in inputs(form)["facilitator"]["choices"] if "Pat" in c["title"]]
    answers = {
        "event": inputs(form)["event"]["value"],
        "starts_at_date": "2026-11-26",
        "starts_at_time": "15:00",
        "minutes": "60",
        "place": "Seminar room 3",
        "facilitator": pat,
    }
    wrong = await send(teams, "cy", form, {**answers, "place": ""})
    assert "Say where" in card_text(wrong)
    done = await send(teams, "cy", form, answers)
    assert "on their way to 7 people" in card_text(done)
    await teams.run_jobs()
    for name in (*PEOPLE, "pat"):
        [invite] = [c.card for c in inbox(teams, name) if "group session" in card_text(c.card)]
        assert verbs(invite) == [] and "Seminar room 3" in card_text(invite)
        assert "calendar file" not in card_text(invite)  # Teams gets a button, not a file
        [add] = [a for a in actions_of(invite) if a["type"] == "Action.OpenUrl"]
        assert add["title"] == "Add to my calendar"
        link = urlsplit(add["url"])
        assert (link.netloc, link.path) == ("teams.microsoft.com", "/l/meeting/new")
        query = parse_qs(link.query)
        # 15:00 on 26 November in the organisation's time zone (UTC here), for an hour
        assert query["startTime"] == ["2026-11-26T15:00:00Z"]
        assert query["endTime"] == ["2026-11-26T16:00:00Z"]
        assert query["content"] == ["Seminar room 3"]
