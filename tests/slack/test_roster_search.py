"""A roster past Slack's 100 options: the coordinator's pickers search as they type
(`external_select`, answered through /slack/events with a `block_suggestion`), so peer 150 can
be managed from chat; on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Peer, Tier
from tests.slack.conftest import TEAM, SlackWorld, text_of
from tests.slack.test_coordinator_admin import open_form, submit_form

ROSTER = 150


async def search(slack: SlackWorld, name: str, form: dict[str, Any], field: str, typed: str):
    """What Slack sends as `name` types in a picker of `form`; returns the options answered."""
    payload = {
        "type": "block_suggestion",
        "user": {"id": slack.user(name), "team_id": TEAM},
        "team": {"id": TEAM, "domain": "hospital"},
        "api_app_id": "A0PEER",
        "token": "legacy",
        "container": {"type": "view", "view_id": "VFORM"},
        "view": {**form, "id": "VFORM", "team_id": TEAM, "state": {"values": {}}},
        "action_id": field,
        "block_id": field,
        "value": typed,
    }
    response = await slack.interact(payload)
    assert response.status == 200, await response.text()
    return (await response.json())["options"]


async def big_roster(slack: SlackWorld) -> dict[str, int]:
    await slack.make_peer("cy", Tier.COORDINATOR)
    return {f"peer{n:03d}": await slack.make_peer(f"peer{n:03d}") for n in range(ROSTER)}


async def test_peer_150_is_found_by_name_and_taken_off_the_roster(slack: SlackWorld):
    peers = await big_roster(slack)
    form = await open_form(slack, "cy", "remove_peer")
    [picker] = [b["element"] for b in form["blocks"] if b.get("block_id") == "peer"]
    assert picker["type"] == "external_select"
    assert f"{ROSTER + 1} people" in picker["placeholder"]["text"]

    everyone = await search(slack, "cy", form, "peer", "")
    assert len(everyone) == 100  # Slack's most; typing narrows it
    [last] = await search(slack, "cy", form, "peer", "PEER149")
    assert last["text"]["text"].startswith("Peer149") and last["value"] == str(peers["peer149"])
    assert len(await search(slack, "cy", form, "peer", "peer14")) == 10

    answer = await submit_form(
        slack, "cy", form, {"peer": {"type": "external_select", "selected_option": last}}
    )
    assert "Peer149 is off the roster" in text_of(answer["view"])
    async with slack.runtime.database.session() as session:
        assert (await session.get(Peer, peers["peer149"])).active is False  # type: ignore[union-attr]


async def test_a_rotation_picks_its_members_by_search(slack: SlackWorld):
    await big_roster(slack)
    form = await open_form(slack, "cy", "add_rotation")
    [picker] = [b["element"] for b in form["blocks"] if b.get("block_id") == "peers"]
    assert picker["type"] == "multi_external_select"
    assert len(await search(slack, "cy", form, "peers", "peer12")) == 10


async def test_anyone_else_searching_the_roster_finds_no_one(slack: SlackWorld):
    await big_roster(slack)
    form = await open_form(slack, "cy", "remove_peer")
    assert await search(slack, "peer007", form, "peer", "peer") == []
    async with slack.runtime.database.session() as session:
        assert len(list(await session.scalars(select(Peer)))) == ROSTER + 1


async def test_a_small_roster_keeps_its_plain_list(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("ana")
    form = await open_form(slack, "cy", "remove_peer")
    [picker] = [b["element"] for b in form["blocks"] if b.get("block_id") == "peer"]
    assert picker["type"] == "static_select" and len(picker["options"]) == 2
