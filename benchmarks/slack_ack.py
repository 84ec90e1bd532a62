"""Server-side time to acknowledge `/support` and the intake modal's submission, under load.

Usage: .venv/bin/python benchmarks/slack_ack.py [--concurrency 50] [--rounds 10]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Starts, on loopback, the fake Slack Web API of the sandbox (in a process of its own) and the
bot's real web server (the production Slack adapter, `/slack/events`), on a fresh SQLite file
and on a throwaway PostgreSQL database. It sends `concurrency` signed requests at once, `rounds`
times, and reads how long the server took to answer each (an aiohttp middleware times the
handler). The same load goes to a bare Bolt app whose listeners only acknowledge, so the
figures can be compared. The workspace has been used once before the load starts (its
organisation exists).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet
from loopback import admin, serve  # benchmarks/loopback.py (run as a script)
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

from bot.runtime import Runtime, prepare_database
from bot.sandbox.slack_api import FakeSlackApi
from bot.sandbox.slack_state import SlackUser
from bot.slack import install
from bot.slack.endpoint import EventsEndpoint
from bot.web import create_web_app
from config.settings import Settings
from models.crypto import Vault, configure_vault
from models.db import Database

SECRET = "benchmark-signing-secret"
TOKEN = "xoxb-benchmark"
TEAM = "T0SANDBOX"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Timings:
    """Server-side handling time of every POST to /slack/events, in milliseconds."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        response = await handler(request)
        if request.path == "/slack/events":
            self.samples.append((time.perf_counter() - started) * 1000)
        return response


def run_fake_slack(port: int, people: int) -> None:
    """The fake Slack Web API, in a process of its own: its work is not the bot's."""
    api = FakeSlackApi(token=TOKEN, team_id=TEAM)
    for number in range(people):
        api.add_user(SlackUser(id=f"U{number:05d}", name=f"Person {number}"))
    api.add_user(SlackUser(id="UWARMUP", name="Someone"))
    web.run_app(api.app, host="127.0.0.1", port=port, print=None, access_log=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return
    raise RuntimeError(f"the fake Slack API did not start on port {port}")


def signed_headers(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
    }


def command_body(user: str, api_url: str) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": f"D{user}",
            "user_id": user,
            "user_name": user,
            "command": "/support",
            "text": "",
            "api_app_id": "A0BENCH",
            "response_url": f"{api_url}respond",
            "trigger_id": f"trigger.{user}",
        }
    )


def submission_body(user: str) -> str:
    def select(block: str, value: str) -> dict[str, Any]:
        option = {"text": {"type": "plain_text", "text": value}, "value": value}
        return {block: {"type": "static_select", "selected_option": option}}

    values = {
        "urgency": select("urgency", "today"),
        "category": select("category", "burnout"),
        "contact": select("contact", "chat"),
        "language": select("language", "en"),
        "options": {"options": {"type": "checkboxes", "selected_options": []}},
        "crisis": {"crisis": {"type": "checkboxes", "selected_options": []}},
        "unit": {"unit": {"type": "plain_text_input", "value": None}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "bench"},
        "user": {"id": user, "username": user, "name": user, "team_id": TEAM},
        "api_app_id": "A0BENCH",
        "token": "legacy",
        "trigger_id": f"trigger.{user}",
        "view": {
            "id": f"V{uuid.uuid4().hex[:10]}",
            "type": "modal",
            "callback_id": "intake",
            "private_metadata": "en",
            "team_id": TEAM,
            "state": {"values": values},
            "hash": "1700000000.abc",
        },
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})


async def load(
    url: str, bodies: Callable[[int], str], concurrency: int, rounds: int, settle: Any
) -> None:
    async with aiohttp.ClientSession() as session:

        async def one(number: int) -> None:
            body = bodies(number)
            async with session.post(
                f"{url}/slack/events", data=body.encode(), headers=signed_headers(body)
            ) as response:
                if response.status != 200:
                    raise RuntimeError(f"{response.status}: {await response.text()}")

        for round_number in range(rounds):
            base = round_number * concurrency
            await asyncio.gather(*(one(base + n) for n in range(concurrency)))
            await settle()


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered):6.1f} ms   p99 {p99:6.1f} ms   (n={len(ordered)})"


def bare_app(api_url: str) -> tuple[web.Application, AsyncApp]:
    """A Bolt app that only acknowledges, behind the same signature check."""
    bolt = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        raise_error_for_unhandled_request=False,
    )

    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/support")(ack_only)
    bolt.view_submission("intake")(ack_only)
    app = web.Application()
    app.router.add_post("/slack/events", EventsEndpoint(bolt, SECRET).handle)
    return app, bolt


async def measure(
    label: str,
    app: web.Application,
    api_url: str,
    concurrency: int,
    rounds: int,
    settle: Callable[[], Awaitable[None]],
) -> None:
    timings = Timings()
    app.middlewares.append(timings.middleware)
    runner, url = await serve(app)
    try:
        # One request from someone else first: the workspace's organisation exists, as in any
        # workspace that has used the bot before (its very first request creates it).
        await load(url, lambda n: submission_body("UWARMUP"), 1, 1, settle)
        for name, bodies in (
            ("/support", lambda n: command_body(f"U{n:05d}", api_url)),
            ("submission", lambda n: submission_body(f"U{n:05d}")),
        ):
            timings.samples.clear()
            await load(url, bodies, concurrency, rounds, settle)
            print(f"  {label:<22} {name:<11} {summary(timings.samples)}")
    finally:
        await runner.cleanup()


async def bot_app(
    database_url: str, api_url: str, vault: Vault, key: str
) -> tuple[web.Application, Runtime, Callable[[], Awaitable[None]]]:
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ENVIRONMENT="test",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        ENCRYPTION_KEYS=key,
        LOG_LEVEL="WARNING",
    )
    runtime = Runtime(settings=settings, vault=vault, database=Database(database_url))
    await prepare_database(runtime, migrate=True)
    app = create_web_app(runtime)
    platform = install(runtime)
    platform.mount(app)
    return app, runtime, platform.drained


async def run(concurrency: int, rounds: int, postgres: str | None) -> None:
    key = Fernet.generate_key().decode()
    vault = configure_vault(Vault([key]))
    port = free_port()
    api_process = multiprocessing.Process(
        target=run_fake_slack, args=(port, concurrency * rounds), daemon=True
    )
    api_process.start()
    api_base = f"http://127.0.0.1:{port}"
    await wait_for_port(port)
    api_url = f"{api_base}/api/"
    print(f"{concurrency} concurrent requests x {rounds} rounds, server-side time to answer")

    async def nothing() -> None:
        return None

    bare, _ = bare_app(api_url)
    await measure("bare Bolt (ack only)", bare, api_url, concurrency, rounds, nothing)

    with tempfile.TemporaryDirectory() as folder:
        targets = [("bot on SQLite", f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")]
        throwaway = None
        if postgres:
            throwaway = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
            await admin(postgres, f'CREATE DATABASE "{throwaway}"')
            url = make_url(postgres).set(database=throwaway)
            targets.append(("bot on PostgreSQL", url.render_as_string(hide_password=False)))
        try:
            for label, database_url in targets:
                app, runtime, drained = await bot_app(database_url, api_url, vault, key)
                await measure(label, app, api_url, concurrency, rounds, drained)
                await runtime.database.dispose()
        finally:
            if throwaway and postgres:
                await admin(postgres, f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)')
    api_process.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--postgres",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        help="server to create a throwaway database on; '' to skip PostgreSQL",
    )
    arguments = parser.parse_args()
    asyncio.run(run(arguments.concurrency, arguments.rounds, arguments.postgres or None))


if __name__ == "__main__":
    main()
