"""A Teams world on loopback: the real web app with the Teams adapter, and a fake Bot Connector.

Activities are POSTed to `/api/messages` as Teams would send them, with `serviceUrl` pointing at
the fake connector, which records every call the bot makes (replies, proactive cards, updates).
Every card the connector receives and every card an invoke answers with is checked by Microsoft's
Adaptive Cards renderer (tests/teams/renderer); a test whose cards it faults fails.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.runtime import Runtime
from bot.teams import install
from bot.web import create_web_app
from config.settings import Settings
from handlers.core.people import Person, lookup_key, organisation_for
from handlers.roster.admin import PeerFields, RosterAdmin
from models import ChatIdentity, Peer, Tier
from models.crypto import Vault
from models.db import Database
from tests.conftest import TEST_KEY
from tests.fakes import FakeClock, put_on_call
from tests.teams.renderer import CardRenderer

TENANT = "tenant-hospital"
BOT = {"id": "28:peer-support-bot", "name": "Peer support"}


@dataclass
class Call:
    method: str
    conversation_id: str
    activity_id: str | None  # the id the connector gave (POST) or the one replaced (PUT)
    body: dict[str, Any]

    @property
    def card(self) -> dict[str, Any]:
        [attachment] = self.body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        return attachment["content"]


Failure = tuple[int, dict[str, str]]


class FakeConnector:
    """Answers like the Bot Connector; `fail_next` queues error answers (status, headers) for
    posts and updates, `fail_next_create` for opening conversations.

    Opening a personal chat with someone who already has one answers with its id, as Teams does.
    """

    def __init__(self, renderer: CardRenderer | None = None) -> None:
        self.renderer = renderer
        self.card_problems: list[tuple[dict[str, Any], list[str]]] = []
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.create_failures: list[Failure] = []
        self.failures_in: dict[str, list[Failure]] = {}  # conversation id -> its own queue
        self.refused = 0
        self.opened: dict[str, str] = {}  # member id -> conversation id
        self._ids = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_post("/v3/conversations", self._create)
        self.app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        self.app.router.add_post(
            "/v3/conversations/{conversation}/activities/{activity}", self._post
        )
        self.app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._put)

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.append((status, headers or {}))

    def fail_next_in(
        self, conversation_id: str, status: int, headers: dict[str, str] | None = None
    ) -> None:
        """Queue an error answer for the next post or update in one conversation only, so a test
        of one call's retries does not depend on which delivery runs first."""
        self.failures_in.setdefault(conversation_id, []).append((status, headers or {}))

    def fail_next_create(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.create_failures.append((status, headers or {}))

    def _failure(self, queue: list[Failure] | None = None) -> web.Response | None:
        queue = self.failures if queue is None else queue
        if not queue:
            return None
        status, headers = queue.pop(0)
        self.refused += 1
        body = {"error": {"code": "Throttled" if status == 429 else "ServiceError"}}
        return web.json_response(body, status=status, headers=headers)

    async def _create(self, request: web.Request) -> web.Response:
        if failure := self._failure(self.create_failures):
            return failure
        body = await request.json()
        [member] = body["members"]
        conversation = self.opened.setdefault(member["id"], f"a:created-{next(self._ids)}")
        self.calls.append(Call("CREATE", conversation, None, body))
        return web.json_response({"id": conversation})

    def check_cards(self, activity: dict[str, Any]) -> None:
        """Keep what the renderer faults in each card of `activity` (a message or an invoke's
        answer), for the test's end."""
        if self.renderer is None:
            return
        cards = [
            attachment["content"]
            for attachment in activity.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]
        if activity.get("type") == "application/vnd.microsoft.card.adaptive":
            cards.append(activity["value"])
        for card in cards:
            if problems := self.renderer.problems(card):
                self.card_problems.append((card, problems))

    def creates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "CREATE"]

    async def _post(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        if failure := self._failure(self.failures_in.get(conversation, [])) or self._failure():
            return failure
        body = await request.json()
        conversation = request.match_info["conversation"]
        activity_id = f"activity-{next(self._ids)}"
        self.check_cards(body)
        self.calls.append(Call("POST", conversation, activity_id, body))
        return web.json_response({"id": activity_id})

    async def _put(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        if failure := self._failure(self.failures_in.get(conversation, [])) or self._failure():
            return failure
        body = await request.json()
        match = request.match_info
        self.check_cards(body)
        self.calls.append(Call("PUT", match["conversation"], match["activity"], body))
        return web.json_response({"id": match["activity"]})

    def posts(self, conversation_id: str) -> list[Call]:
        return [
            c for c in self.calls if c.method == "POST" and c.conversation_id == conversation_id
        ]

    def updates(self, conversation_id: str) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT" and c.conversation_id == conversation_id]


@dataclass(frozen=True)
class TeamsUser:
    name: str
    locale: str

    @property
    def aad_object_id(self) -> str:
        return f"aad-{self.name}"

    @property
    def conversation_id(self) -> str:
        return f"a:personal-{self.name}"


def card_text(card: dict[str, Any]) -> str:
    """Everything a person reads on a card: text blocks, facts, input labels, button titles."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label", "value", "errorMessage"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(parts)


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action a person can click on a card, in the order shown: the action sets in its
    body (and its containers), then the card's own row."""
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("type") == "ActionSet":
                found.extend(item["actions"])
            walk(item.get("items", []))

    walk(card.get("body", []))
    return found + card.get("actions", [])


def verbs(card: dict[str, Any]) -> list[str]:
    return [action["verb"] for action in actions_of(card) if "verb" in action]


@dataclass
class TeamsWorld:
    runtime: Runtime
    client: TestClient
    connector: FakeConnector
    service_url: str
    clock: FakeClock
    users: dict[str, TeamsUser] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def user(self, name: str, locale: str = "en-US") -> TeamsUser:
        return self.users.setdefault(name, TeamsUser(name, locale))

    def activity(self, who: str, kind: str = "message", **extra: Any) -> dict[str, Any]:
        name = who
        user = self.user(name)
        return {
            "type": kind,
            "id": f"incoming-{next(self._ids)}",
            "timestamp": self.clock().isoformat(),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{name}", "name": name.title(), "aadObjectId": user.aad_object_id},
            "conversation": {
                "id": user.conversation_id,
                "conversationType": "personal",
                "tenantId": TENANT,
            },
            "recipient": BOT,
            "channelData": {"tenant": {"id": TENANT}},
            "locale": user.locale,
            **extra,
        }

    async def post(self, body: Any, headers: dict[str, str] | None = None) -> Any:
        return await self.client.post("/api/messages", json=body, headers=headers)

    async def install(self, name: str, locale: str = "en-US") -> None:
        self.user(name, locale)
        activity = self.activity(name, "conversationUpdate", membersAdded=[BOT])
        response = await self.post(activity)
        assert response.status in (200, 201), await response.text()

    async def say(self, name: str, text: str) -> dict[str, Any]:
        """Write to the bot; returns the card it answered with."""
        before = len(self.connector.posts(self.user(name).conversation_id))
        response = await self.post(self.activity(name, text=text, textFormat="plain"))
        assert response.status in (200, 201), await response.text()
        replies = self.connector.posts(self.user(name).conversation_id)[before:]
        assert len(replies) == 1, f"expected one reply, got {len(replies)}"
        return replies[0].card

    async def click(self, name: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        """An Action.Execute click; returns the card that replaces the clicked one."""
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
        activity = self.activity(name, "invoke", name="adaptiveCard/action", value=value)
        response = await self.post(activity)
        assert response.status == 200, await response.text()
        body = await response.json()
        assert body["statusCode"] == 200
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        self.connector.check_cards(body)
        return body["value"]

    async def run_jobs(self) -> int:
        return await self.runtime.engine.run_due()

    def inbox(self, name: str) -> list[Call]:
        """Cards the bot sent `name` (replies and proactive messages), oldest first."""
        return self.connector.posts(self.user(name).conversation_id)

    async def make_peer(self, name: str, tier: Tier = Tier.PEER, **fields: Any) -> int:
        """Put an installed Teams user on the roster, on call from now on."""
        user = self.user(name)
        key = lookup_key("teams", TENANT, user.aad_object_id)
        async with self.runtime.database.session() as session, session.begin():
            identity = await session.scalar(
                select(ChatIdentity).where(ChatIdentity.lookup_key == key)
            )
            assert identity is not None, f"{name} has not installed the app"
            fields.setdefault("training_valid_until", date(2030, 1, 1))
            peer = Peer(
                organisation_id=identity.organisation_id,
                identity_id=identity.id,
                tier=tier.value,
                **fields,
            )
            session.add(peer)
            await session.flush()
            put_on_call(session, peer)
            return peer.id

    async def import_peer(self, name: str) -> int:
        """Put a Teams user on the roster as the roster import does, by their Entra object id
        alone: no conversation reference, as for someone who never wrote to the bot."""
        person = Person(
            platform="teams",
            tenant_id=TENANT,
            user_id=self.user(name).aad_object_id,
            display_name=name.title(),
        )
        async with self.runtime.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, "teams", TENANT, self.runtime.core.defaults
            )
        fields = PeerFields(training_valid_until=date(2030, 1, 1))
        admin = RosterAdmin(self.runtime.database)
        peer_id = await admin.add_peer(None, organisation.id, person, fields)
        async with self.runtime.database.session() as session, session.begin():
            peer = await session.get(Peer, peer_id)
            assert peer is not None
            put_on_call(session, peer)
        return peer_id


def teams_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "TEAMS_ENABLED": True,
        "ENVIRONMENT": "test",
        "ENCRYPTION_KEYS": TEST_KEY,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def card_renderer() -> Iterator[CardRenderer]:
    renderer = CardRenderer()
    yield renderer
    renderer.close()


def assert_cards_render(world: TeamsWorld) -> None:
    """No card of the test was faulted by Microsoft's renderer."""
    faults = [
        f"{problems} in {json.dumps(card)[:600]}"
        for card, problems in world.connector.card_problems
    ]
    assert not faults, "\n".join(faults)


async def start_world(
    database: Database,
    database_url: str,
    vault: Vault,
    renderer: CardRenderer | None = None,
    **settings: Any,
) -> tuple[TeamsWorld, list[Any]]:
    clock = FakeClock()
    runtime = Runtime(
        settings=teams_settings(database_url, **settings), vault=vault, database=database
    )
    runtime.core.clock = clock
    runtime.engine.clock = clock
    connector = FakeConnector(renderer)
    connector_server = TestServer(connector.app)
    await connector_server.start_server()
    app = create_web_app(runtime)
    install(runtime).mount(app)
    client = TestClient(TestServer(app))
    await client.start_server()
    service_url = str(connector_server.make_url("/"))
    world = TeamsWorld(runtime, client, connector, service_url, clock)
    return world, [client, connector_server]


@pytest.fixture
async def teams(
    database: Database, database_url: str, test_vault: Vault, card_renderer: CardRenderer
) -> AsyncIterator[TeamsWorld]:
    world, servers = await start_world(database, database_url, test_vault, card_renderer)
    yield world
    for server in servers:
        await server.close()
    assert_cards_render(world)
