"""Time from the form's answer to the first offer reaching a peer, with `web` and `worker`.

Usage: .venv/bin/python benchmarks/first_offer.py [--requests 100] [--burst 1]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]

What runs, each a process of its own as in production, on a throwaway PostgreSQL database:
`peer-support web` (the Slack adapter at /slack/events) and `peer-support worker`, both at their
default settings, started exactly as the Procfile starts them. The fake Slack Web API runs in
this process, beside the load, so the answer to a submission and the offer's arrival at Slack
are read on one clock. The workspace is the sandbox's demo hospital (peers on call).

Each request is a signed form submission; `--burst N` sends N at once, then waits for their
offers before the next burst. A request's id follows from its form's view id (as the bot derives
it), so each offer seen at Slack (its Accept button carries the offer id) is matched to its
request through the database afterwards. Prints the p50, p90, p99 and worst time from answer to
first offer, the load average, and how many requests got no offer within the wait (none should).
The goals: an offer within 1 s of the answer (issue 13), first offers of bursts of 10 within 1 s
at p99 (issue 19).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.fernet import Fernet
from loopback import admin, serve  # benchmarks/loopback.py (run as a script)
from slack_ack import (
    SECRET,
    TEAM,
    TOKEN,
    free_port,
    signed_headers,
    submission_body,
    wait_for_port,
)
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.sandbox.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parent.parent
PEER_SUPPORT = str(Path(sys.executable).with_name("peer-support"))
ACCEPT = "offer.accept"
WAIT_SECONDS = 30.0


class TimedSlack(FakeSlackApi):
    """The sandbox's fake Slack, noting when each offer arrives (by its offer id)."""

    def __init__(self, requesters: int) -> None:
        from bot.sandbox.demo import slack_users
        from bot.sandbox.slack_state import SlackUser

        super().__init__(token=TOKEN, team_id=TEAM)
        for user in slack_users():  # the demo hospital's peers, coordinator, professional
            self.add_user(user)
        for number in range(requesters):
            self.add_user(SlackUser(id=requester(number), name=f"Person {number}"))
        self.offer_seen: dict[int, float] = {}
        self.arrived = asyncio.Event()

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - Slack's
        now = time.perf_counter()
        blocks = params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        for block in blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if str(element.get("action_id", "")).startswith(ACCEPT):
                    self.offer_seen.setdefault(int(element["value"]), now)
                    self.arrived.set()
        return super()._chat_postMessage(params)


def environment(database_url: str, api_url: str, key: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "ENCRYPTION_KEYS": key,
        "LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "ENVIRONMENT": "production",
    }


async def seed(database_url: str, api_url: str, key: str) -> None:
    """Migrate the database and put the demo hospital in it (what `db upgrade` and a
    coordinator would have done)."""
    from bot.runtime import Runtime, prepare_database
    from bot.sandbox.clock import SandboxClock
    from bot.sandbox.demo import seed as seed_demo
    from config.settings import Settings
    from models.crypto import Vault, configure_vault
    from models.db import Database

    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        ENCRYPTION_KEYS=key,
    )
    vault = configure_vault(Vault([key]))
    runtime = Runtime(settings=settings, vault=vault, database=Database(database_url))
    await prepare_database(runtime, migrate=True)
    await seed_demo(runtime.database, SandboxClock(), runtime.pulses)
    await runtime.database.dispose()


async def offers_by_request(database_url: str, key: str) -> dict[str, list[int]]:
    from models import Offer
    from models.crypto import Vault, configure_vault
    from models.db import Database

    configure_vault(Vault([key]))
    database = Database(database_url)
    try:
        async with database.session() as session:
            rows = await session.execute(select(Offer.request_id, Offer.id))
            found: dict[str, list[int]] = {}
            for request_id, offer_id in rows:
                found.setdefault(request_id, []).append(offer_id)
            return found
    finally:
        await database.dispose()


def requester(number: int) -> str:
    return f"UREQ{number:05d}"


def request_id_of(view_id: str) -> str:
    from handlers.support.asking import SUBMISSIONS

    return str(uuid.uuid5(SUBMISSIONS, f"slack:{TEAM}:{view_id}"))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(arguments: argparse.Namespace, database_url: str) -> None:
    slack = TimedSlack(arguments.requests)
    slack_runner, api_url = await serve(slack.app)
    api_url += "/api/"
    key = Fernet.generate_key().decode()
    await seed(database_url, api_url, key)
    web_port, health_port = free_port(), free_port()
    processes = [
        await asyncio.create_subprocess_exec(
            PEER_SUPPORT,
            role,
            cwd=ROOT,
            env={
                **environment(database_url, api_url, key, web_port),
                **({"HEALTH_PORT": str(health_port)} if role == "worker" else {}),
            },
        )
        for role in ("web", "worker")
    ]
    answered: dict[str, float] = {}
    try:
        await wait_for_port(web_port, "peer-support web")
        await wait_for_port(health_port, "peer-support worker")
        await asyncio.sleep(1)  # the worker's LISTEN is up once its probes answer, give it a beat
        url = f"http://127.0.0.1:{web_port}/slack/events"
        async with aiohttp.ClientSession() as client:

            async def submit(number: int) -> None:
                view_id = f"V{uuid.uuid4().hex[:10].upper()}"
                body = body_with_view(requester(number), view_id)
                async with client.post(url, data=body.encode(), headers=signed_headers(body)) as r:
                    await r.read()
                    if r.status != 200:
                        raise RuntimeError(f"web answered {r.status}")
                answered[request_id_of(view_id)] = time.perf_counter()

            for start in range(0, arguments.requests, arguments.burst):
                wanted = len(slack.offer_seen) + min(arguments.burst, arguments.requests - start)
                burst = range(start, min(start + arguments.burst, arguments.requests))
                await asyncio.gather(*(submit(number) for number in burst))
                deadline = time.perf_counter() + WAIT_SECONDS
                while len(slack.offer_seen) < wanted and time.perf_counter() < deadline:
                    slack.arrived.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(slack.arrived.wait(), timeout=0.5)
                await asyncio.sleep(0.2)  # the rest of the burst's offers (every peer gets one)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), timeout=30)
        await slack_runner.cleanup()

    offers = await offers_by_request(database_url, key)
    latencies: list[float] = []
    missing = 0
    for request_id, answered_at in answered.items():
        seen = [slack.offer_seen[o] for o in offers.get(request_id, []) if o in slack.offer_seen]
        if not seen:
            missing += 1
            continue
        latencies.append((min(seen) - answered_at) * 1000)
    print(f"{len(answered)} requests in bursts of {arguments.burst}; web + worker on PostgreSQL")
    if latencies:
        print(
            f"  answer to first offer: p50 {statistics.median(latencies):.0f} ms,"
            f" p90 {percentile(latencies, 0.9):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms,"
            f" worst {max(latencies):.0f} ms"
        )
    print(f"  no offer within {WAIT_SECONDS:.0f} s: {missing}; load average {load_average()}")


def body_with_view(user: str, view_id: str) -> str:
    """`slack_ack.submission_body` with a view id of our choosing (the request id follows)."""
    from urllib.parse import parse_qs, urlencode

    payload = json.loads(parse_qs(submission_body(user))["payload"][0])
    payload["view"]["id"] = view_id
    return urlencode({"payload": json.dumps(payload)})


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


async def main_async(arguments: argparse.Namespace) -> None:
    print(f"load average before: {load_average()}")
    name = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
    await admin(arguments.postgres, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(arguments.postgres).set(database=name)
        await run(arguments, url.render_as_string(hide_password=False))
    finally:
        await admin(arguments.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--burst", type=int, default=1, help="requests sent at once")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
