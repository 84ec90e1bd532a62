"""A replayed signed request gets 409 from any web process: the signatures seen are shared in the
database, and the retention purge forgets them once Slack's window has passed."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.slack.replays import SeenSignatures
from handlers.privacy.retention import Retention
from models import SeenSignature, SupportRequest, utcnow
from models.crypto import Vault
from models.db import Database
from tests.slack.conftest import FORM, SlackWorld, start_world


@pytest.fixture
async def second_web(
    slack: SlackWorld, database_url: str, test_vault: Vault
) -> AsyncIterator[SlackWorld]:
    """Another web process on the same database: its own app, engine, memory and Slack API."""
    database = Database(database_url)
    world, servers = await start_world(database, database_url, test_vault, api=slack.api)
    yield world
    await world.platform.close()
    for server in servers:
        await server.close()
    await database.dispose()


async def count(slack: SlackWorld, model: type) -> int:
    async with slack.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_replay_reaching_a_second_web_process_gets_409(
    slack: SlackWorld, second_web: SlackWorld
):
    await slack.make_peer("pia")
    body = urlencode({"payload": json.dumps(slack.submission_payload("rita", FORM))})
    stamp = int(time.time())
    first = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert first.status == 200, await first.text()
    await slack.settle()
    views_before = len(slack.api.calls)
    replayed = await second_web.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert replayed.status == 409
    assert "already received" in await replayed.text()
    await second_web.settle()
    assert len(slack.api.calls) == views_before  # no Slack call ran again
    assert await count(slack, SupportRequest) == 1
    # and back on the first process too, from its memory or the table
    again = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert again.status == 409


async def test_a_slash_command_replayed_on_another_process_opens_no_second_form(
    slack: SlackWorld, second_web: SlackWorld
):
    user_id = slack.user("rita")
    form = {
        "team_id": slack.team,
        "user_id": user_id,
        "channel_id": slack.api.dm_of(user_id),
        "command": "/support",
        "text": "",
        "api_app_id": "A0PEER",
        "response_url": f"{slack.api_url}respond/{user_id}/1",
        "trigger_id": slack.trigger(user_id),
    }
    body, stamp = urlencode(form), int(time.time())
    first = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    await slack.settle()
    replayed = await second_web.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    await second_web.settle()
    assert (first.status, replayed.status) == (200, 409)
    assert len(slack.api.called("views.open")) == 1


async def test_the_purge_forgets_signatures_older_than_slacks_window(slack: SlackWorld):
    seen = SeenSignatures(slack.runtime.database)
    assert await seen.first_time("v0=" + "a" * 64)
    async with slack.runtime.database.session() as session, session.begin():
        session.add(
            SeenSignature(signature="v0=" + "b" * 64, seen_at=utcnow() - timedelta(hours=1))
        )
    await Retention(slack.runtime.core).purge()
    async with slack.runtime.database.session() as session:
        kept = list(await session.scalars(select(SeenSignature.signature)))
    assert kept == ["v0=" + "a" * 64]


async def test_with_the_table_unreachable_a_request_is_still_answered(
    slack: SlackWorld, monkeypatch: pytest.MonkeyPatch
):
    """Someone asking for help is answered though the signature cannot be recorded; this
    process still refuses its own replays from memory."""

    async def unreachable(self: SeenSignatures, signature: str) -> bool:
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(SeenSignatures, "_record", unreachable)
    body = urlencode({"payload": json.dumps(slack.submission_payload("rita", FORM))})
    stamp = int(time.time())
    first = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    replayed = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert (first.status, replayed.status) == (200, 409)
    await slack.settle()


async def test_a_burst_of_signatures_is_written_in_a_few_statements(slack: SlackWorld):
    """Group commit: 40 requests at once cost a handful of INSERTs, each answered rightly, and
    two processes racing on the same signatures admit each once."""
    from sqlalchemy import event

    inserts: list[str] = []

    def count_inserts(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO SEEN_SIGNATURES"):
            inserts.append(statement)

    engine = slack.runtime.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count_inserts)
    try:
        here, there = SeenSignatures(slack.runtime.database), SeenSignatures(slack.runtime.database)
        signatures = [f"v0={number:064d}" for number in range(40)]
        answers = await asyncio.gather(
            *(here.first_time(signature) for signature in signatures),
            *(there.first_time(signature) for signature in signatures),
        )
    finally:
        event.remove(engine, "before_cursor_execute", count_inserts)
    mine, theirs = answers[:40], answers[40:]
    assert all(a != b for a, b in zip(mine, theirs, strict=True))  # each admitted once
    assert 2 <= len(inserts) <= 6, len(inserts)
    assert await count(slack, SeenSignature) == 40
