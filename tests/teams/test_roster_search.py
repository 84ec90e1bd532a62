"""A roster past 100 people on Teams: the coordinator's pickers are a typeahead (Data.Query)
that Teams answers by asking the bot (`application/search`, through /api/messages), so peer
150 can be managed from chat; on both databases."""

from __future__ import annotations

from typing import Any

from models import Peer, Tier
from tests.teams.conftest import TeamsWorld, card_text
from tests.teams.test_roster_cards import inputs, open_form, send

ROSTER = 150


async def search(teams: TeamsWorld, name: str, value: Any) -> Any:
    activity = teams.activity(name, "invoke", name="application/search", value=value)
    return await teams.post(activity)


def query(text: str, top: int = 15, skip: int = 0) -> dict[str, Any]:
    return {"queryText": text, "queryOptions": {"skip": skip, "top": top}, "dataset": "roster"}


async def results(teams: TeamsWorld, name: str, text: str, **options: int) -> list[dict]:
    response = await search(teams, name, query(text, **options))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.search.searchResponse"
    return body["value"]["results"]


async def big_roster(teams: TeamsWorld) -> dict[str, int]:
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    return {f"peer{n:03d}": await teams.import_peer(f"peer{n:03d}") for n in range(ROSTER)}


async def test_peer_150_is_found_by_name_and_taken_off_the_roster(teams: TeamsWorld):
    peers = await big_roster(teams)
    form = await open_form(teams, "cy", "remove_peer")
    picker = inputs(form)["peer"]
    assert picker["choices.data"] == {"type": "Data.Query", "dataset": "roster"}
    assert picker["style"] == "filtered" and f"{ROSTER + 1} people" in picker["placeholder"]

    assert len(await results(teams, "cy", "")) == 15  # what Teams shows; typing narrows it
    assert len(await results(teams, "cy", "peer", skip=15)) == 15  # and pages on
    [last] = await results(teams, "cy", "PEER149")
    assert last == {"title": "Peer149 (peer supporter)", "value": str(peers["peer149"])}

    done = await send(teams, "cy", form, {"peer": last["value"]})
    assert "Peer149 is off the roster" in card_text(done)
    async with teams.runtime.database.session() as session:
        assert (await session.get(Peer, peers["peer149"])).active is False  # type: ignore[union-attr]


async def test_a_rotation_picks_its_members_by_search(teams: TeamsWorld):
    await big_roster(teams)
    form = await open_form(teams, "cy", "add_rotation")
    picker = inputs(form)["peers"]
    assert picker["isMultiSelect"] is True and picker["choices.data"]["dataset"] == "roster"
    assert len(await results(teams, "cy", "peer12")) == 10


async def test_anyone_else_or_another_dataset_finds_no_one(teams: TeamsWorld):
    await big_roster(teams)
    await teams.install("rita")
    assert await results(teams, "rita", "peer") == []
    response = await search(teams, "cy", {**query("peer"), "dataset": "something-else"})
    assert (await response.json())["value"]["results"] == []


async def test_a_malformed_search_is_refused_with_400(teams: TeamsWorld):
    await teams.install("cy")
    response = await search(teams, "cy", "not an object")
    assert response.status == 400


async def test_a_small_roster_keeps_its_plain_list(teams: TeamsWorld):
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    form = await open_form(teams, "cy", "remove_peer")
    picker = inputs(form)["peer"]
    assert "choices.data" not in picker and len(picker["choices"]) == 1
