"""`/support admin` through /slack/events: refused politely to anyone but a coordinator; a
coordinator adds a peer and an override from the modal, and the new peer receives offers; a bad
date is shown beside its field and changes nothing; every change is audited."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from models import AuditEvent, Peer, Tier
from tests.slack.conftest import FORM, TEAM, SlackWorld, text_of


async def count(slack: SlackWorld, model: type) -> int:
    async with slack.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def audit_actions(slack: SlackWorld) -> list[tuple[str, str]]:
    async with slack.runtime.database.session() as session:
        rows = await session.execute(select(AuditEvent.actor, AuditEvent.action))
        return [(actor, action) for actor, action in rows]


CLICKS = itertools.count(1700000000)


async def open_form(slack: SlackWorld, name: str, form: str) -> dict[str, Any]:
    """`/support admin`, then the menu's button for `form`; returns the form pushed."""
    await slack.command(name, "admin")
    menu = slack.api.called("views.open")[-1].args["view"]
    assert menu["callback_id"] == "admin.menu"
    button = next(
        element
        for block in menu["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == f"admin:{form}"
    )
    payload = {
        "type": "block_actions",
        "user": {"id": slack.user(name), "team_id": TEAM},
        "team": {"id": TEAM, "domain": "hospital"},
        "api_app_id": "A0PEER",
        "token": "legacy",
        "container": {"type": "view", "view_id": "VMENU"},
        "trigger_id": f"trigger-{name}-menu",
        "view": {**menu, "id": "VMENU", "state": {"values": {}}},
        # Each click its own action_ts, as Slack's are: the same signed body twice is a replay.
        "actions": [{**button, "block_id": "b1", "action_ts": f"{next(CLICKS)}.000100"}],
    }
    response = await slack.interact(payload)
    assert response.status == 200
    await slack.settle()
    pushed = slack.api.called("views.push")[-1]
    assert pushed.args["trigger_id"] == f"trigger-{name}-menu"
    return pushed.args["view"]


def state(values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`view.state.values` from {block: element state}."""
    return {block: {block: element} for block, element in values.items()}


async def submit_form(
    slack: SlackWorld,
    name: str,
    form: dict[str, Any],
    values: dict[str, dict[str, Any]],
    previous_view_id: str | None = None,
) -> dict[str, Any]:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "hospital"},
        "user": {"id": slack.user(name), "team_id": TEAM},
        "api_app_id": "A0PEER",
        "token": "legacy",
        "trigger_id": f"trigger-{name}-submit",
        "view": {
            **form,
            "id": "VFORM",
            "team_id": TEAM,
            "state": {"values": state(values)},
            "previous_view_id": previous_view_id,
        },
        "response_urls": [],
    }
    response = await slack.interact(payload)
    assert response.status == 200, await response.text()
    await slack.settle()
    return await response.json()


def new_peer(user_id: str, trained_until: str = "2030-01-01") -> dict[str, dict[str, Any]]:
    return {
        "user": {"type": "users_select", "selected_user": user_id},
        "tier": {"type": "static_select", "selected_option": {"value": "peer"}},
        "unit": {"type": "plain_text_input", "value": "ICU"},
        "languages": {"type": "multi_static_select", "selected_options": [{"value": "en"}]},
        "cap": {"type": "number_input", "value": "2"},
        "trained_until": {"type": "datepicker", "selected_date": trained_until},
    }


def an_override(
    form: dict[str, Any], name: str, starts_at: datetime, ends_at: datetime
) -> dict[str, dict[str, Any]]:
    """The add-override form's answers: `name` picked, and the two moments."""
    return {
        "peer": {"type": "static_select", "selected_option": {"value": option_for(form, name)}},
        "starts_at": {"type": "datetimepicker", "selected_date_time": int(starts_at.timestamp())},
        "ends_at": {"type": "datetimepicker", "selected_date_time": int(ends_at.timestamp())},
    }


def option_for(form: dict[str, Any], label: str) -> str:
    block = next(block for block in form["blocks"] if block.get("block_id") == "peer")
    return next(o["value"] for o in block["element"]["options"] if label in o["text"]["text"])


async def test_anyone_but_a_coordinator_is_refused_politely_and_gets_no_modal(
    slack: SlackWorld,
):
    await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("ana")
    audits = await count(slack, AuditEvent)
    for name in ("ana", "rita"):
        await slack.command(name, "admin")
        refusal = slack.api.responses[-1]
        assert refusal["response_type"] == "ephemeral"
        assert "for the programme's coordinators" in text_of(refusal["blocks"])
    assert slack.api.called("views.open") == []

    # A forged form submission from a peer changes nothing either.
    form = {"type": "modal", "callback_id": "admin.add_peer", "private_metadata": "en"}
    answer = await submit_form(slack, "ana", form, new_peer(slack.user("nell")))
    assert answer["response_action"] == "update"
    assert "for the programme's coordinators" in text_of(answer["view"])
    assert await count(slack, Peer) == 2 and await count(slack, AuditEvent) == audits


async def test_a_coordinator_adds_a_peer_who_then_receives_offers(slack: SlackWorld):
    cy = await slack.make_peer("cy", Tier.COORDINATOR)
    nell = slack.user("nell")

    form = await open_form(slack, "cy", "add_peer")
    assert form["callback_id"] == "admin.add_peer"
    assert {"user", "tier", "unit", "languages", "cap", "trained_until"} <= {
        block.get("block_id") for block in form["blocks"]
    }
    answer = await submit_form(slack, "cy", form, new_peer(nell))
    assert answer["response_action"] == "update"
    assert "Nell is on the roster as peer supporter" in text_of(answer["view"])

    override = await open_form(slack, "cy", "add_override")
    now = slack.clock()
    answer = await submit_form(
        slack,
        "cy",
        override,
        an_override(override, "Nell", now - timedelta(minutes=5), now + timedelta(hours=8)),
    )
    assert "Override added: Nell" in text_of(answer["view"])
    assert (f"peer:{cy}", "peer_added") in await audit_actions(slack)
    assert (f"peer:{cy}", "override_added") in await audit_actions(slack)

    await slack.command("rita")
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    [offer] = slack.offers("nell")
    assert offer.action_ids == ["offer.accept", "offer.decline"]

    await slack.command("cy", "admin")
    menu = text_of(slack.api.called("views.open")[-1].args["view"])
    assert (
        "On call, next two weeks" in menu and "Now to" in menu and "Nell (peer supporter)" in menu
    )


async def test_a_bad_date_is_shown_beside_its_field_and_changes_nothing(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("ana")
    peers, audits = await count(slack, Peer), await count(slack, AuditEvent)

    form = await open_form(slack, "cy", "add_peer")
    answer = await submit_form(slack, "cy", form, new_peer(slack.user("nell"), "2020-01-01"))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"trained_until"}
    assert "from today on" in answer["errors"]["trained_until"]

    override = await open_form(slack, "cy", "add_override")
    now = slack.clock()
    answer = await submit_form(
        slack, "cy", override, an_override(override, "Ana", now, now - timedelta(hours=1))
    )
    assert answer == {
        "response_action": "errors",
        "errors": {"ends_at": "The end must be after the start."},
    }
    assert await count(slack, Peer) == peers and await count(slack, AuditEvent) == audits


async def test_a_coordinator_removes_a_peer(slack: SlackWorld):
    cy = await slack.make_peer("cy", Tier.COORDINATOR)
    ana = await slack.make_peer("ana")

    form = await open_form(slack, "cy", "remove_peer")
    answer = await submit_form(
        slack,
        "cy",
        form,
        {"peer": {"type": "static_select", "selected_option": {"value": option_for(form, "Ana")}}},
    )
    assert "Ana is off the roster" in text_of(answer["view"])
    async with slack.runtime.database.session() as session:
        assert (await session.get(Peer, ana)).active is False  # type: ignore[union-attr]
    assert (f"peer:{cy}", "peer_removed") in await audit_actions(slack)


async def test_the_admin_word_and_the_menu_speak_spanish(slack: SlackWorld):
    slack.user("cy", locale="es-ES")
    await slack.make_peer("cy", Tier.COORDINATOR)

    await slack.command("cy", "administrar")
    menu = slack.api.called("views.open")[-1].args["view"]
    assert menu["callback_id"] == "admin.menu"
    assert "Añadir compañero" in text_of(menu)
    assert "De guardia, próximas dos semanas" in text_of(menu)


async def test_a_coordinator_sets_up_a_rotation_and_its_peers_take_turns(slack: SlackWorld):
    cy = await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("ana", on_call=False)
    await slack.make_peer("ben", on_call=False)
    form = await open_form(slack, "cy", "add_rotation")
    [members] = [block for block in form["blocks"] if block.get("block_id") == "peers"]
    by_name = {o["text"]["text"].split(" (")[0]: o["value"] for o in members["element"]["options"]}
    today = slack.clock().date().isoformat()  # Monday 23 November, 14:00 UTC

    def answers(hours: str) -> dict[str, dict[str, Any]]:
        return {
            "name": {"type": "plain_text_input", "value": "Days"},
            "tier": {"type": "static_select", "selected_option": {"value": "peer"}},
            "peers": {
                "type": "multi_static_select",
                "selected_options": [{"value": by_name["Ben"]}, {"value": by_name["Ana"]}],
            },
            "starts_on": {"type": "datepicker", "selected_date": today},
            "handoff": {"type": "timepicker", "selected_time": "08:00"},
            "hours": {"type": "number_input", "value": hours},
        }

    refused = await submit_form(slack, "cy", form, answers("0"))
    assert refused["response_action"] == "errors" and set(refused["errors"]) == {"hours"}
    answer = await submit_form(slack, "cy", form, answers("24"))
    assert "Rotation Days added: Ben, Ana take turns, 24 hours each." in text_of(answer["view"])
    assert (f"peer:{cy}", "rotation_added") in await audit_actions(slack)

    await slack.command("rita")  # Ben's turn today, Ana's tomorrow
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    assert len(slack.offers("ben")) == 1 and slack.offers("ana") == []


async def test_after_a_change_back_shows_the_schedule_as_it_is_now(slack: SlackWorld):
    """The menu under the form (what Back returns to) and the coordinator's Home show the
    override just added; the menu at the bottom closes, the forms above it go back."""
    await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("ana", on_call=False)
    await slack.open_home("cy")
    form = await open_form(slack, "cy", "add_override")
    [menu_id] = slack.api.open_view[slack.user("cy")].stack[:1]
    menu = slack.api.views[menu_id]
    assert menu["close"]["text"] == "Close" and form["close"]["text"] == "Back"
    assert "Ana" not in text_of(menu["blocks"])

    starts = slack.clock() + timedelta(hours=1)
    answers = an_override(form, "Ana", starts, starts + timedelta(hours=8))
    answer = await submit_form(slack, "cy", form, answers, previous_view_id=menu_id)
    assert answer["response_action"] == "update"
    assert answer["view"]["close"]["text"] == "Back"
    assert "Ana" in text_of(slack.api.views[menu_id]["blocks"])  # Back shows it
    home = slack.api.called("views.publish")[-1].args["view"]
    assert "Ana" in text_of(home)  # and so does the Home
