"""Production's process model, end to end: `peer-support web` and `peer-support worker` as real
processes on PostgreSQL, Slack a fake on loopback. A submitted form's first offer reaches Slack
without waiting for a poll (the pollers here would wait an hour): the commit wakes the engines.

The time it takes is the benchmark's (`benchmarks/first_offer.py`, p50/p99 over 100 requests);
this test only checks that it happens promptly, whatever the machine's load."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import make_url

from bot.runtime import Runtime, prepare_database
from bot.sandbox.clock import SandboxClock
from bot.sandbox.demo import TEAM, seed, slack_users
from bot.sandbox.slack_api import FakeSlackApi
from config.settings import Settings
from models.crypto import Vault, configure_vault
from models.db import Database
from models.migrate import upgrade
from tests.conftest import TEST_KEY, _create_database, _drop_database, _postgres_admin_url
from tests.slack.conftest import FORM, modal_state

ROOT = Path(__file__).resolve().parents[2]
PEER_SUPPORT = str(Path(sys.executable).with_name("peer-support"))
TOKEN = "xoxb-processes"
SECRET = "processes-signing-secret"
NEVER_POLLS = "3600"
PROMPTLY = 15.0  # seconds: generous for a loaded machine, far below one poll


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for_port(port: int) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return
    raise AssertionError(f"nothing listening on {port}")


@pytest.fixture
async def migrated_url(postgres_url: str) -> AsyncIterator[str]:
    """A PostgreSQL database of its own, migrated by Alembic as `db upgrade` does."""
    admin_url = _postgres_admin_url()
    name = f"peer_support_processes_{uuid.uuid4().hex[:8]}"
    await _create_database(admin_url, name)
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        database = Database(url)
        await upgrade(database)
        await database.dispose()
        yield url
    finally:
        await _drop_database(admin_url, name)


def submission(user: str, view_id: str) -> str:
    """The form Slack sends when the demo's Rita submits it (a view id of our choosing)."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "demo"},
        "user": {"id": user, "username": "rita", "name": "rita", "team_id": TEAM},
        "api_app_id": "A0PROCESSES",
        "token": "legacy",
        "trigger_id": "trigger.rita",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": "intake",
            "private_metadata": "en",
            "team_id": TEAM,
            "state": {"values": modal_state(FORM)},
            "hash": "1700000000.abc",
        },
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
    }


async def test_a_forms_first_offer_reaches_slack_without_waiting_for_a_poll(
    migrated_url: str,
) -> None:
    api = FakeSlackApi(token=TOKEN, team_id=TEAM)
    for user in slack_users():
        api.add_user(user)
    runner = web.AppRunner(api.app, access_log=None)
    await runner.setup()
    slack_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", slack_port).start()
    api_url = f"http://127.0.0.1:{slack_port}/api/"
    settings = Settings(
        _env_file=None,
        DATABASE_URL=migrated_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        ENCRYPTION_KEYS=TEST_KEY,
    )
    runtime = Runtime(
        settings=settings, vault=configure_vault(Vault([TEST_KEY])), database=Database(migrated_url)
    )
    await prepare_database(runtime, migrate=False)  # the keyring
    await seed(runtime.database, SandboxClock(), runtime.pulses)  # the demo hospital, peers on call
    await runtime.database.dispose()

    web_port, health_port = free_port(), free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": migrated_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "ENCRYPTION_KEYS": TEST_KEY,
        "PORT": str(web_port),
        "HEALTH_PORT": str(health_port),
        "WORKER_POLL_SECONDS": NEVER_POLLS,
        "LOG_LEVEL": "WARNING",
    }
    processes = [
        await asyncio.create_subprocess_exec(
            PEER_SUPPORT,
            role,
            cwd=ROOT,
            env={
                key: value
                for key, value in environment.items()
                if role == "worker" or key != "HEALTH_PORT"
            },
        )
        for role in ("web", "worker")
    ]
    try:
        await wait_for_port(web_port)
        await wait_for_port(health_port)
        rita = next(user.id for user in slack_users() if user.name == "Rita")
        body = submission(rita, f"V{uuid.uuid4().hex[:10].upper()}")
        async with (
            aiohttp.ClientSession() as client,
            client.post(
                f"http://127.0.0.1:{web_port}/slack/events",
                data=body.encode(),
                headers=signed(body),
            ) as response,
        ):
            assert response.status == 200
        answered = time.monotonic()
        peers = {user.id for user in slack_users() if user.name in ("Ana", "Ben", "Cleo")}
        while not any(api.dm_of(peer) in api.messages for peer in peers):
            assert time.monotonic() - answered < PROMPTLY, "no offer reached Slack"
            await asyncio.sleep(0.05)
        offered = [
            message
            for peer in peers
            for message in api.messages.get(api.dm_of(peer), [])
            if "offer.accept" in json.dumps(message.get("blocks"))
        ]
        assert offered, "a peer heard of something other than an offer"
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0  # a clean stop
        await runner.cleanup()


async def test_a_worker_stopped_while_it_starts_still_exits_cleanly(migrated_url: str) -> None:
    """A deploy may send SIGTERM before a worker has finished starting (its probes already
    answer): it stops cleanly, exit 0, not killed by the signal."""
    health_port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": migrated_url,
        "ENCRYPTION_KEYS": TEST_KEY,
        "HEALTH_PORT": str(health_port),
        "LOG_LEVEL": "WARNING",
    }
    worker = await asyncio.create_subprocess_exec(PEER_SUPPORT, "worker", cwd=ROOT, env=environment)
    await wait_for_port(health_port)
    worker.send_signal(signal.SIGTERM)  # at once: it may still be checking the schema
    assert await asyncio.wait_for(worker.wait(), timeout=30) == 0
