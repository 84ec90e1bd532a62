"""Time to acknowledge `/support` and the intake modal's submission, against a bare Bolt app.

Usage: .venv/bin/python benchmarks/slack_ack.py [--concurrency 50] [--rounds 5] [--repeats 3]
       [--database sqlite|postgres] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Every server is a process of its own, on loopback: the fake Slack Web API of the sandbox, the
anchor (a bare Bolt app whose listeners only acknowledge, behind the same signature check) and
the bot's real web server (the production Slack adapter at `/slack/events`, its database
migrated, its workspace the sandbox's demo hospital with peers on call). The load comes from
this process. Each round sends `concurrency` signed `/support` commands at once, waits for the
server's work after the answers, then as many form submissions; rounds go to anchor and bot in A
B B A order (then B A A B), so a load that comes and goes on the shared machine falls on both.
Times are what a client sees, from sending a request to its answer. Each repeat starts fresh
processes; the ratios (bot / anchor, of the median and of the 99th percentile) are printed per
repeat and their spread over repeats, with the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet
from loopback import admin  # benchmarks/loopback.py (run as a script)
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

SECRET = "benchmark-signing-secret"
TOKEN = "xoxb-benchmark"
TEAM = "T0SANDBOX"
KINDS = ("/support", "submission")
ABBA = ("anchor", "bot", "bot", "anchor")
BAAB = ("bot", "anchor", "anchor", "bot")


# --- the servers, each in a process of its own ----------------------------------------------


def run_fake_slack(port: int, people: int) -> None:
    """The fake Slack Web API: its work is neither the anchor's nor the bot's."""
    from bot.sandbox.demo import slack_users
    from bot.sandbox.slack_api import FakeSlackApi
    from bot.sandbox.slack_state import SlackUser

    api = FakeSlackApi(token=TOKEN, team_id=TEAM)
    for user in slack_users():
        api.add_user(user)
    for number in range(people):
        api.add_user(SlackUser(id=f"U{number:06d}", name=f"Person {number}"))
    api.add_user(SlackUser(id="UWARMUP", name="Someone"))
    web.run_app(api.app, host="127.0.0.1", port=port, print=None, access_log=None)


def run_anchor(port: int, api_url: str) -> None:
    """The bare Bolt app: the same signature check, listeners that only acknowledge. Replays
    are refused from memory only: writing each signature to the database (so that any web
    process refuses a replay) is the bot's own cost, measured on the bot's side."""
    from bot.slack.endpoint import EventsEndpoint
    from bot.slack.replays import SeenSignatures

    class RememberedOnly(SeenSignatures):
        async def first_time(self, signature: str) -> bool:
            return self._remember(signature)

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
    seen = RememberedOnly(database=None)  # type: ignore[arg-type]  # never asked
    app.router.add_post("/slack/events", EventsEndpoint(bolt, SECRET, seen).handle)

    async def drained(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/bench/drained", drained)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def run_bot(port: int, api_url: str, database_url: str, key: str) -> None:
    """The bot's web server as `peer-support web` builds it, plus a way to wait for the work
    its listeners do after answering. Its workspace is the sandbox's demo hospital: peers,
    a coordinator and a professional on call, so a request is routed and offered as in use."""
    from bot.runtime import Runtime, prepare_database
    from bot.sandbox.clock import SandboxClock
    from bot.sandbox.demo import seed
    from bot.slack import install
    from bot.web import create_web_app
    from config.settings import Settings
    from models.crypto import Vault, configure_vault
    from models.db import Database

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
    vault = configure_vault(Vault([key]))
    runtime = Runtime(settings=settings, vault=vault, database=Database(database_url))
    app = create_web_app(runtime)
    platform = install(runtime)
    platform.mount(app)

    async def drained(_request: web.Request) -> web.Response:
        await platform.drained()
        return web.Response(text="ok")

    async def on_startup(_app: web.Application) -> None:
        await prepare_database(runtime, migrate=True)
        await seed(runtime.database, SandboxClock(), runtime.pulses)

    app.router.add_get("/bench/drained", drained)
    app.on_startup.append(on_startup)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for_port(port: int, what: str) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return
    raise RuntimeError(f"{what} did not start on port {port}")


# --- what Slack sends -------------------------------------------------------------------------


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


# --- the load, from this process --------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    samples: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})


async def burst(session: aiohttp.ClientSession, url: str, bodies: list[str]) -> list[float]:
    """Send `bodies` at once; each one's time to its answer, in milliseconds."""

    async def one(body: str) -> float:
        started = time.perf_counter()
        async with session.post(
            f"{url}/slack/events", data=body.encode(), headers=signed_headers(body)
        ) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status}")
        return (time.perf_counter() - started) * 1000

    return list(await asyncio.gather(*(one(body) for body in bodies)))


async def one_round(
    session: aiohttp.ClientSession, server: Server, users: list[str], api_url: str
) -> None:
    for kind in KINDS:
        if kind == "/support":
            bodies = [command_body(user, api_url) for user in users]
        else:
            bodies = [submission_body(user) for user in users]
        server.samples[kind] += await burst(session, server.url, bodies)
        async with session.get(f"{server.url}/bench/drained") as response:
            await response.read()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Ratios:
    median: dict[str, float]
    p99: dict[str, float]


async def repeat(label: str, database_url: str, concurrency: int, rounds: int, key: str) -> Ratios:
    spawn = multiprocessing.get_context("spawn")
    api_port, anchor_port, bot_port = free_port(), free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}/api/"
    people = concurrency * rounds * 2
    processes = [
        spawn.Process(target=run_fake_slack, args=(api_port, people), daemon=True),
        spawn.Process(target=run_anchor, args=(anchor_port, api_url), daemon=True),
        spawn.Process(target=run_bot, args=(bot_port, api_url, database_url, key), daemon=True),
    ]
    for process in processes:
        process.start()
    try:
        for port, what in ((api_port, "fake Slack"), (anchor_port, "anchor"), (bot_port, "bot")):
            await wait_for_port(port, what)
        anchor = Server("anchor", f"http://127.0.0.1:{anchor_port}")
        bot = Server("bot", f"http://127.0.0.1:{bot_port}")
        by_name = {"anchor": anchor, "bot": bot}
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency * 2)
        ) as session:
            # the workspace has been used before (its organisation exists), and every
            # connection is warm, for both
            for server in (anchor, bot):
                await one_round(session, server, ["UWARMUP"], api_url)
                server.samples = {kind: [] for kind in KINDS}
            next_user = {"anchor": 0, "bot": 0}  # nobody asks the same server twice
            for round_number in range(rounds):
                for name in ABBA if round_number % 2 == 0 else BAAB:
                    first = next_user[name]
                    next_user[name] += concurrency
                    users = [f"U{first + n:06d}" for n in range(concurrency)]
                    await one_round(session, by_name[name], users, api_url)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(10)
    ratios = Ratios(median={}, p99={})
    for kind in KINDS:
        a, b = anchor.samples[kind], bot.samples[kind]
        ratios.median[kind] = statistics.median(b) / statistics.median(a)
        ratios.p99[kind] = percentile(b, 0.99) / percentile(a, 0.99)
        print(
            f"  {label:<10} {kind:<11} bot median {statistics.median(b):6.1f} ms"
            f" p99 {percentile(b, 0.99):6.1f} ms | anchor median {statistics.median(a):6.1f} ms"
            f" p99 {percentile(a, 0.99):6.1f} ms | ratio median {ratios.median[kind]:4.2f}x"
            f" p99 {ratios.p99[kind]:4.2f}x  (n={len(b)}+{len(a)}, load {load_average()})"
        )
    return ratios


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):4.2f}x (repeats {min(values):4.2f}-{max(values):4.2f}x)"


async def run(arguments: argparse.Namespace) -> None:
    key = Fernet.generate_key().decode()
    print(
        f"{arguments.concurrency} at once, {arguments.rounds} A B B A rounds, "
        f"{arguments.repeats} repeats; load average before: {load_average()}"
    )
    results: list[Ratios] = []
    with tempfile.TemporaryDirectory() as folder:
        for number in range(arguments.repeats):
            label = f"repeat {number + 1}"
            if arguments.database == "sqlite":
                url = f"sqlite+aiosqlite:///{Path(folder) / f'bench{number}.db'}"
                results.append(
                    await repeat(label, url, arguments.concurrency, arguments.rounds, key)
                )
                continue
            name = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
            await admin(arguments.postgres, f'CREATE DATABASE "{name}"')
            url = make_url(arguments.postgres).set(database=name)
            try:
                results.append(
                    await repeat(
                        label,
                        url.render_as_string(hide_password=False),
                        arguments.concurrency,
                        arguments.rounds,
                        key,
                    )
                )
            finally:
                await admin(arguments.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"bot / bare Bolt on {arguments.database}, over {arguments.repeats} repeats:")
    for kind in KINDS:
        medians = [result.median[kind] for result in results]
        p99s = [result.p99[kind] for result in results]
        print(f"  {kind:<11} median {spread(medians)}   p99 {spread(p99s)}")
    print(f"load average after: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="A B B A rounds per repeat")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes each time")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument(
        "--postgres",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        help="server to create the throwaway databases on",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
