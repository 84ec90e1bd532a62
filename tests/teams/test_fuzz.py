"""Thousands of mutated activities to /api/messages (authentication off, as the other Teams
tests run): never a server error, and a refused one changes nothing (no row written, no call to
the Bot Connector, no turn failing).

Mutations come from `tests/mutations.py`; `FUZZ_EXAMPLES=2000 .venv/bin/pytest
tests/teams/test_fuzz.py` searches longer. The token cases with authentication on are in
`test_tokens.py`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.mutations import Failures, fuzz, mutated, row_counts
from tests.teams.conftest import BOT, TeamsWorld, card_text

FORM = {"urgency": "today", "category": "patient_death", "contact": "phone", "language": "en"}


@pytest.fixture
def failures() -> Iterator[Failures]:
    handler = Failures()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def click(teams: TeamsWorld, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    return teams.activity("ana", "invoke", name="adaptiveCard/action", value=value)


def templates(teams: TeamsWorld) -> dict[str, dict[str, Any]]:
    """One well-formed activity of each kind Teams sends us."""
    return {
        "message": teams.activity("ana", text="support", textFormat="plain"),
        "help": teams.activity("ana", text="help", textFormat="plain"),
        "install": teams.activity("ana", "conversationUpdate", membersAdded=[BOT]),
        "start": click(teams, "support.start", {"value": ""}),
        "submit": click(teams, "intake.submit", {**FORM, "form_id": "f" * 32}),
        "decline": click(teams, "offer.decline", {"value": "1"}),
    }


@given(data=st.data())
@fuzz(800)
async def test_no_activity_gives_a_server_error(
    teams: TeamsWorld, failures: Failures, data: st.DataObject
):
    kinds = templates(teams)
    activity = data.draw(mutated(kinds[data.draw(st.sampled_from(sorted(kinds)))]))
    body = json.dumps(activity)
    before, calls = await row_counts(teams.runtime.database), len(teams.connector.calls)
    failures.records.clear()
    response = await teams.client.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"}
    )
    answer = await response.text()
    event(f"HTTP {response.status}")  # --hypothesis-show-statistics tells how many of each
    assert response.status < 500, answer
    assert not failures.records, failures.messages()
    if response.status >= 400:
        assert "error" in json.loads(answer)
        assert await row_counts(teams.runtime.database) == before
        assert len(teams.connector.calls) == calls


@pytest.mark.parametrize(
    "change",
    [
        {"conversation": {"id": "a:personal\x00ana", "conversationType": "personal"}},
        {"from": {"id": "29:ana", "aadObjectId": "aad\x00ana"}},
        {"channelData": {"tenant": {"id": "\ud800"}}},
        {"id": "x" * 2000},
        {"type": "invoke", "name": "task/fetch"},
        {"membersAdded": [None]},
    ],
)
async def test_each_malformed_case_is_refused_and_changes_nothing(
    teams: TeamsWorld, change: dict[str, Any]
):
    activity = {**teams.activity("ana", text="support"), **change}
    response = await teams.client.post(
        "/api/messages", data=json.dumps(activity), headers={"Content-Type": "application/json"}
    )
    assert response.status == 400, await response.text()
    assert "error" in await response.json()
    assert await row_counts(teams.runtime.database) == {
        name: 1 if name == "keyring" else 0 for name in await row_counts(teams.runtime.database)
    }
    assert teams.connector.calls == []


async def test_nul_in_what_someone_writes_is_removed_not_refused(teams: TeamsWorld):
    card = await teams.say("ana", "supp\x00ort")
    assert [action["verb"] for action in card["actions"]] == ["intake.submit"]


@pytest.mark.parametrize("value", [10**21, "1" * 40, "²", "٣"])
async def test_a_button_id_no_database_holds_is_an_old_button_not_an_error(
    teams: TeamsWorld, value: object
):
    """Found by the fuzz test: a forged click whose id is a huge number (or digits `int` cannot
    read) was a 500 from the database; now it is the answer to any unknown button."""
    await teams.install("ana")
    card = await teams.click("ana", "offer.decline", {"value": value})
    assert "This button no longer works" in card_text(card)
