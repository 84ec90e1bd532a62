"""Time to store and route one request when a whole roster is on call (broadcast offers).

Usage: .venv/bin/python benchmarks/routing.py [--peers 1000] [--rounds 5] [--sqlite]

Two organisations in one database: the anchor with one peer on call, the other with `--peers`
peers on call, all in the same tier, offered at once. Each round stores a request in each
(`Requests.request_support`: the request, its acknowledgement and its routing job, what the web
process does) and runs its routing job (`first_offers.route_new`: an offer, its delivery job and
audit line per peer, the tier's timeout, in one transaction, what the worker does), in A B B A
order, so a load that comes and goes on the shared machine falls on both. Prints the medians
(storing, and storing plus routing), the ratio to the anchor with its spread over rounds, and
the load average. The goal: under a second for 1,000 peers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from loopback import admin  # benchmarks/loopback.py (run as a script)
from sqlalchemy.engine import make_url

from handlers.core.people import OrganisationDefaults, Person, identity_for, organisation_for
from handlers.core.unit import Core
from handlers.support.asking import Requests
from handlers.support.first_offers import route_new
from handlers.support.intake import IntakeForm
from models import Base, Override, Peer, Tier
from models.crypto import Vault, configure_vault
from models.db import Database
from models.keyring import load_keyring

FORM = {"urgency": "now", "category": "adverse_event", "contact": "phone"}
ALWAYS_FROM = datetime(2020, 1, 1, tzinfo=UTC)
ALWAYS_TO = datetime(2040, 1, 1, tzinfo=UTC)
ABBA = ("TANCHOR", "TROSTER", "TROSTER", "TANCHOR")
BAAB = ("TROSTER", "TANCHOR", "TANCHOR", "TROSTER")


async def roster(database: Database, tenant: str, peers: int) -> None:
    """An organisation for Slack workspace `tenant` with `peers` peers on call."""
    async with database.session() as session, session.begin():
        organisation = await organisation_for(
            session, "slack", tenant, OrganisationDefaults(country="US")
        )
        for number in range(peers):
            person = Person("slack", tenant, f"UP{number:05d}", display_name=f"Peer {number}")
            identity = await identity_for(session, organisation, person)
            peer = Peer(
                organisation_id=organisation.id,
                identity_id=identity.id,
                tier=Tier.PEER.value,
                training_valid_until=date(2030, 1, 1),
                caseload_cap=1000,
            )
            session.add(peer)
            await session.flush()
            session.add(
                Override(
                    organisation_id=organisation.id,
                    peer_id=peer.id,
                    tier=Tier.PEER.value,
                    starts_at=ALWAYS_FROM,
                    ends_at=ALWAYS_TO,
                )
            )


async def run(database_url: str, peers: int, rounds: int) -> None:
    key = Fernet.generate_key().decode()
    vault = configure_vault(Vault([key]))
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await load_keyring(database, vault)
    await roster(database, "TANCHOR", 1)
    await roster(database, "TROSTER", peers)
    requests = Requests(Core(database, defaults=OrganisationDefaults(country="US")))
    form = IntakeForm.model_validate(FORM)
    times: dict[str, list[float]] = {"TANCHOR": [], "TROSTER": []}
    stored: dict[str, list[float]] = {"TANCHOR": [], "TROSTER": []}
    asked = 0

    async def ask(tenant: str) -> None:
        nonlocal asked
        asked += 1
        person = Person("slack", tenant, f"UR{asked:05d}")
        started = time.perf_counter()
        submitted = await requests.request_support(person, form)
        stored[tenant].append(time.perf_counter() - started)
        async with database.session() as session, session.begin():
            outcome = await route_new(session, submitted.request_id, datetime.now(UTC))
        assert outcome == "offered", outcome
        times[tenant].append(time.perf_counter() - started)

    await ask("TANCHOR"), await ask("TROSTER")  # warm: statements prepared, caches filled
    times = {tenant: [] for tenant in times}
    stored = {tenant: [] for tenant in stored}
    for number in range(rounds):
        for tenant in ABBA if number % 2 == 0 else BAAB:
            await ask(tenant)
    await database.dispose()

    anchor, many = times["TANCHOR"], times["TROSTER"]
    per_round = [b / a for a, b in zip(anchor, many, strict=True)]
    for tenant, label in (("TANCHOR", "1 peer on call (anchor)"), ("TROSTER", f"{peers} peers")):
        print(
            f"  {label:<24} stored in {statistics.median(stored[tenant]) * 1000:6.1f} ms,"
            f" stored and routed in {statistics.median(times[tenant]) * 1000:7.1f} ms (medians)"
        )
    print(
        f"  ratio {statistics.median(many) / statistics.median(anchor):.2f}x"
        f" (per pair {min(per_round):.2f}-{max(per_round):.2f}x),"
        f" slowest of {len(many)}: {max(many) * 1000:.0f} ms; load average {load_average()}"
    )


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


async def main_async(arguments: argparse.Namespace) -> None:
    print(f"{arguments.peers} peers, {arguments.rounds} A B B A rounds; load {load_average()}")
    if arguments.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite:")
            url = f"sqlite+aiosqlite:///{Path(folder) / 'routing.db'}"
            await run(url, arguments.peers, arguments.rounds)
        return
    name = f"peer_support_bench_{uuid.uuid4().hex[:8]}"
    await admin(arguments.postgres, f'CREATE DATABASE "{name}"')
    try:
        print("PostgreSQL:")
        url = make_url(arguments.postgres).set(database=name)
        await run(url.render_as_string(hide_password=False), arguments.peers, arguments.rounds)
    finally:
        await admin(arguments.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true", help="use a SQLite file instead")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
