"""LOG_FORMAT=json: a whole support case through Slack's endpoint writes one JSON object a
line, each with the request and organisation ids where known, and none names a person."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from bot.slack.client import SERVER_ERROR_RETRIES
from tests.slack.conftest import FORM, SlackWorld

FIELDS = {"time", "level", "logger", "message", "request_id", "organisation_id"}


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the process would write to standard error with LOG_FORMAT=json, at DEBUG."""
    configure_logging("DEBUG", "json")
    buffer = io.StringIO()
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer


def parsed(buffer: io.StringIO) -> list[dict[str, object]]:
    lines = buffer.getvalue().splitlines()
    assert lines, "nothing was logged: the test would prove nothing"
    entries = []
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert isinstance(entry, dict) and FIELDS <= set(entry) <= FIELDS | {"error", "stack"}
        entries.append(entry)
    return entries


async def test_a_whole_case_logs_json_lines_that_name_nobody(
    slack: SlackWorld, json_log: io.StringIO
) -> None:
    await slack.make_peer("pia")
    await slack.make_peer("paz")
    # one delivery fails, is logged and retried (jobs run side by side: more than one's retries)
    for _ in range(3 * (SERVER_ERROR_RETRIES + 1)):
        slack.api.fail_next("chat.postMessage", 500)
    assert (await slack.command("rita")).status == 200
    await slack.submit(
        "rita", {**FORM, "phone": "07700 900123", "unit": "Ward Lilac", "note": "NOTE-7731"}
    )
    await slack.run_jobs()
    slack.clock.advance(minutes=1)
    await slack.run_jobs()
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    await slack.say("rita", "I keep thinking about ending my life")  # the risk path logs too
    await slack.run_jobs()
    forged = await slack.post(
        "token=x&user_id=URITA&user_name=rita", "application/x-www-form-urlencoded", secret="wrong"
    )
    assert forged.status == 401

    entries = parsed(json_log)
    rita = slack.api.users["URITA"]
    for secret in (
        "URITA",
        rita.name,
        "rita",
        "07700 900123",
        "Ward Lilac",
        "NOTE-7731",
        "ending my life",
    ):
        leaking = [entry for entry in entries if secret in json.dumps(entry, ensure_ascii=False)]
        assert not leaking, f"{secret!r} was logged: {leaking[0]}"
    assert any(entry["request_id"] for entry in entries), "no line carries a request id"
    assert any(entry["organisation_id"] for entry in entries), "no line names the organisation"
    assert any("attempt 1 failed" in str(entry["message"]) for entry in entries)


async def test_the_response_carries_the_request_id(slack: SlackWorld) -> None:
    nginx = "0c1f5e1d2b7a4c39a1e0f6b2d8c4e9a7"  # what nginx's $request_id looks like
    plain = await slack.client.get("/healthz", headers={"X-Request-Id": nginx})
    assert plain.headers["X-Request-Id"] == nginx  # a proxy's own id is kept
    for odd in ("rita-smith-ward-lilac", "rita@example.org", "abc"):  # could carry a name
        answer = await slack.client.get("/healthz", headers={"X-Request-Id": odd})
        assert answer.headers["X-Request-Id"] != odd
        assert len(answer.headers["X-Request-Id"]) == 32
