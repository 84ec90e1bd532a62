"""A small hospital for the core's tests: an organisation, people on Slack (and Teams), a roster,
the use cases wired as the runtime wires them, and a settable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.core.delivery import Delivery
from handlers.core.outbox import DELIVER
from handlers.core.people import OrganisationDefaults, Person, identity_for, organisation_for
from handlers.core.ports import Messengers
from handlers.core.unit import Core
from handlers.follow_up.check_ins import FollowUps
from handlers.roster.status import PeerStatuses
from handlers.support.answering import Offers
from handlers.support.asking import Requests
from handlers.support.ending import Cases
from handlers.support.failed_jobs import report_failed_job
from handlers.support.intake import IntakeForm
from handlers.support.jobs import SupportJobs
from handlers.support.relay import Relay
from models import Organisation, Peer, Tier
from models.db import Database
from scheduler.engine import JobEngine
from tests.fakes import FakeClock, FakeMessenger, put_on_call

TENANT = "T0HOSPITAL"


@dataclass
class Hospital:
    database: Database
    clock: FakeClock
    slack: FakeMessenger
    teams: FakeMessenger
    core: Core
    requests: Requests
    offers: Offers
    cases: Cases
    relay: Relay
    statuses: PeerStatuses
    engine: JobEngine
    follow_ups: FollowUps
    organisation_id: int = 0
    people: dict[str, Person] = field(default_factory=dict)
    peers: dict[str, int] = field(default_factory=dict)

    def person(self, name: str, platform: str = "slack", locale: str | None = "en-US") -> Person:
        if name not in self.people:
            self.people[name] = Person(
                platform=platform,
                tenant_id=TENANT,
                user_id=f"U{name.upper()}",
                display_name=name.title(),
                locale=locale,
            )
        return self.people[name]

    async def setup(self, **settings: Any) -> None:
        async with self.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, "slack", TENANT, OrganisationDefaults(country="US")
            )
            for key, value in settings.items():
                setattr(organisation, key, value)
            self.organisation_id = organisation.id

    async def add_peer(
        self,
        name: str,
        tier: Tier = Tier.PEER,
        *,
        on_call: bool = True,
        platform: str = "slack",
        **fields: Any,
    ) -> int:
        person = self.person(name, platform)
        async with self.database.session() as session, session.begin():
            organisation = await session.get(Organisation, self.organisation_id)
            assert organisation is not None
            identity = await identity_for(session, organisation, person)
            fields.setdefault("training_valid_until", date(2030, 1, 1))
            peer = Peer(
                organisation_id=organisation.id, identity_id=identity.id, tier=tier.value, **fields
            )
            session.add(peer)
            await session.flush()
            if on_call:
                put_on_call(session, peer)
            self.peers[name] = peer.id
            return peer.id

    async def ask(self, name: str, **form: Any) -> str:
        form.setdefault("urgency", "now")
        form.setdefault("category", "adverse_event")
        form.setdefault("contact", "phone")
        submitted = await self.requests.request_support(
            self.person(name), IntakeForm.model_validate(form)
        )
        await self.run_jobs()
        return submitted.request_id

    async def run_jobs(self) -> int:
        return await self.engine.run_due()

    def messenger(self, name: str) -> FakeMessenger:
        return self.teams if self.people[name].platform == "teams" else self.slack

    def inbox(self, name: str) -> list[str]:
        """Kinds of the messages `name` received, in order."""
        return self.messenger(name).kinds_to(self.people[name].user_id)

    def last(self, name: str, kind: str | None = None):  # noqa: ANN201 - a Sent
        items = [
            item
            for item in self.messenger(name).to(self.people[name].user_id)
            if kind is None or item.message.kind == kind
        ]
        assert items, f"{name} received no {kind or 'message'}"
        return items[-1]

    def offer_id(self, name: str) -> int:
        offer = self.last(name, "offer").message
        return int(offer.buttons[0].value)

    async def count(self, model: type) -> int:
        async with self.database.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def build_hospital(database: Database, clock: FakeClock) -> Hospital:
    slack, teams = FakeMessenger("slack"), FakeMessenger("teams")
    messengers = Messengers()
    messengers.register("slack", slack)
    messengers.register("teams", teams)
    core = Core(database, defaults=OrganisationDefaults(country="US"), clock=clock)
    requests = Requests(core)
    follow_ups = FollowUps(core)
    handlers = {
        DELIVER: Delivery(database, messengers),
        **SupportJobs(core).job_handlers(),
        **follow_ups.job_handlers(),
    }
    engine = JobEngine(
        database,
        handlers,
        clock=clock,
        on_failed=lambda job: report_failed_job(database, job, clock()),
    )
    return Hospital(
        database,
        clock,
        slack,
        teams,
        core,
        requests,
        Offers(core),
        Cases(core),
        Relay(core),
        PeerStatuses(core),
        engine,
        follow_ups,
    )


@pytest.fixture
async def hospital(database: Database) -> AsyncIterator[Hospital]:
    world = build_hospital(database, FakeClock())
    await world.setup()
    yield world
