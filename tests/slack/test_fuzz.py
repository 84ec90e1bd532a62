"""Thousands of mutated, correctly signed payloads to /slack/events: never a server error, and
a refused one changes nothing (no row written, no Slack call made, no listener failing).

Mutations come from `tests/mutations.py`; `FUZZ_EXAMPLES=2000 .venv/bin/pytest
tests/slack/test_fuzz.py` searches longer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.mutations import Failures, fuzz, mutated, row_counts
from tests.slack.conftest import FORM, Posted, SlackWorld

FORM_ENCODED = "application/x-www-form-urlencoded"


@pytest.fixture
def failures() -> Iterator[Failures]:
    # Slack refusing a call (an id that names nobody, as the fake Slack says) is its answer
    # to a payload no Slack would send, not a crash.
    handler = Failures("SlackApiError")
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
def prompts() -> dict[str, Posted]:
    """The message clicked on, posted once per world (hypothesis reuses the fixtures)."""
    return {}


def templates(slack: SlackWorld, prompt: Posted) -> dict[str, tuple[str, Any]]:
    """One well-formed payload of each kind Slack sends us: (how it is sent, the payload);
    the click is on `prompt`, a message the bot posted in rita's DM."""
    user = slack.user("rita")
    dm = prompt.channel
    click = {
        "type": "block_actions",
        "user": {"id": user, "username": "rita", "team_id": slack.team},
        "team": {"id": slack.team, "domain": "hospital"},
        "api_app_id": "A0PEER",
        "container": {"type": "message", "message_ts": prompt.ts, "channel_id": dm},
        "channel": {"id": dm, "name": "directmessage"},
        "message": {"type": "message", "ts": prompt.ts, "text": "An offer", "blocks": []},
        "trigger_id": slack.trigger(user),
        "response_url": f"{slack.api_url}respond/{user}/1",
        "actions": [
            {
                "type": "button",
                "action_id": "offer.decline#0",
                "block_id": "b1",
                "value": "1",
                "action_ts": "1.000002",
            }
        ],
    }
    home_click = {
        **click,
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        "actions": [{**click["actions"][0], "action_id": "support.start#0", "value": ""}],
    }
    closed = {
        "type": "view_closed",
        "team": {"id": slack.team},
        "user": {"id": user},
        "view": {"id": "VX", "type": "modal", "callback_id": "intake"},
        "is_cleared": False,
    }
    command = {
        "team_id": slack.team,
        "user_id": user,
        "channel_id": dm,
        "command": "/support",
        "text": "help",
        "api_app_id": "A0PEER",
        "response_url": f"{slack.api_url}respond/{user}/2",
        "trigger_id": slack.trigger(user),
    }
    home = {"type": "app_home_opened", "user": user, "tab": "home"}
    return {
        "command": ("form", command),
        "submission": ("interaction", slack.submission_payload("rita", FORM)),
        "click": ("interaction", click),
        "home_click": ("interaction", home_click),
        "view_closed": ("interaction", closed),
        "message": ("event", json.loads(slack.event_body(slack.dm_event("rita", "support")))),
        "home_opened": ("event", json.loads(slack.event_body(home))),
    }


def encoded(how: str, payload: Any) -> tuple[str, str]:
    """The body as Slack would send it, and its Content-Type."""
    if how == "event":
        return json.dumps(payload), "application/json"
    if how == "interaction":
        return urlencode({"payload": json.dumps(payload)}), FORM_ENCODED
    if not isinstance(payload, dict):
        return quote(str(payload), errors="surrogatepass"), FORM_ENCODED
    fields = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
    # A lone surrogate cannot be UTF-8: it goes out as the bytes it would be (not valid UTF-8).
    return urlencode(fields, errors="surrogatepass"), FORM_ENCODED


@given(data=st.data())
@fuzz(300)
async def test_no_signed_payload_gives_a_server_error(
    slack: SlackWorld, failures: Failures, prompts: dict[str, Posted], data: st.DataObject
):
    if "rita" not in prompts:
        await slack.make_peer("pia")
        prompts["rita"] = await slack.say("rita", "support")
    kinds = templates(slack, prompts["rita"])
    how, payload = kinds[data.draw(st.sampled_from(sorted(kinds)), label="kind")]
    body, content_type = encoded(how, data.draw(mutated(payload), label="payload"))
    await slack.settle()
    before, calls = await row_counts(slack.runtime.database), len(slack.api.calls)
    failures.records.clear()
    response = await slack.post(body, content_type, timestamp=int(time.time()))
    await slack.settle()
    answer = await response.text()
    event(f"HTTP {response.status}")  # --hypothesis-show-statistics tells how many of each
    assert response.status < 500, answer
    assert not failures.records, failures.messages()
    if response.status >= 400 or "ignored" in answer:
        after = await row_counts(slack.runtime.database)
        if response.status == 404:  # Bolt has no listener for it: the signature was accepted
            after["seen_signatures"] -= 1
            if how == "event" and after["processed_events"] > before["processed_events"]:
                after["processed_events"] -= 1  # and its event id, so a retry of it is a no-op
        assert after == before
        assert len(slack.api.calls) == calls
    if response.status == 400:
        assert "error" in json.loads(answer)


# --- the cases seen, one by one -------------------------------------------------------------


def _submission_without_view(slack: SlackWorld) -> tuple[str, str]:
    return encoded("interaction", {**slack.submission_payload("rita", FORM), "view": None})


def _event(slack: SlackWorld, **changes: Any) -> tuple[str, str]:
    body = json.loads(slack.event_body(slack.dm_event("rita", "support")))
    return encoded("event", {**body, **changes})


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("view null", 400),
        ("event null", 200),  # an event: Slack would retry anything else
        ("event_id with NUL", 200),
        ("event_id over-long", 200),
        ("nested too deeply", 400),
        ("lone surrogate", 400),
    ],
)
async def test_each_malformed_case_seen_is_refused_and_changes_nothing(
    slack: SlackWorld, case: str, status: int
):
    body, content_type = {
        "view null": lambda: _submission_without_view(slack),
        "event null": lambda: _event(slack, event=None),
        "event_id with NUL": lambda: _event(slack, event_id="Ev0\x00NUL"),
        "event_id over-long": lambda: _event(slack, event_id="Ev" + "9" * 300),
        "nested too deeply": lambda: encoded(
            "interaction",
            {**slack.submission_payload("rita", FORM), "x": json.loads("[" * 100 + "]" * 100)},
        ),
        "lone surrogate": lambda: encoded(
            "interaction", {**slack.submission_payload("rita", FORM), "api_app_id": "\ud800"}
        ),
    }[case]()
    before = await row_counts(slack.runtime.database)
    response = await slack.post(body, content_type)
    await slack.settle()
    assert response.status == status, await response.text()
    assert await row_counts(slack.runtime.database) == before
    assert not slack.api.calls


async def test_nul_in_what_someone_writes_is_removed_not_refused(slack: SlackWorld):
    reply = await slack.say("rita", "supp\x00ort")
    assert reply.action_ids == ["support.start"]
