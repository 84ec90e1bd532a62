"""A Slack world on loopback: the real web app with the Slack adapter, and a fake Slack Web API.

Requests reach `/slack/events` signed and shaped as Slack sends them (slash commands
form-encoded, interactions as a `payload` form field, events as JSON); the fake Web API answers
the bot's calls the way Slack does and records them, so tests check what people would see.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.runtime import Runtime
from bot.sandbox.block_kit import view_problems
from bot.sandbox.slack_api import FakeSlackApi
from bot.sandbox.slack_state import SlackUser
from bot.slack import SlackPlatform, install
from bot.slack.modal import intake_view
from bot.web import create_web_app
from config.settings import Settings
from handlers.core.people import OrganisationDefaults, Person, identity_for, organisation_for
from models import Peer, Tier
from models.crypto import Vault
from models.db import Database
from tests.conftest import TEST_KEY
from tests.fakes import FakeClock, put_on_call

TEAM = "T0HOSPITAL"
BOT_USER = "UBOT"
USER_TIME_ZONE = "America/Chicago"  # what users.info says of everyone here
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class Posted:
    """A message the bot posted in a DM, as it reads now (after any chat.update): a view over
    what the fake Slack keeps."""

    def __init__(self, channel: str, stored: dict[str, Any]) -> None:
        self.channel = channel
        self._stored = stored

    @property
    def ts(self) -> str:
        return str(self._stored["ts"])

    @property
    def text(self) -> str:
        return str(self._stored.get("text", ""))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self._stored.get("blocks") or [])

    @property
    def ephemeral(self) -> bool:
        return bool(self._stored.get("ephemeral"))

    @property
    def updates(self) -> int:
        return int(self._stored.get("updates", 0))

    @property
    def action_ids(self) -> list[str]:
        return [
            element["action_id"].split("#")[0]
            for block in self.blocks
            if block["type"] == "actions"
            for element in block["elements"]
        ]

    def value_of(self, action: str) -> str:
        return next(
            element["value"]
            for block in self.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"].split("#")[0] == action
        )

    @property
    def readable(self) -> str:
        return text_of(self.blocks)


def text_of(node: Any) -> str:
    """Everything a person reads in blocks or a view: texts, labels, options, hints."""
    parts: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            if isinstance(item.get("text"), str):
                parts.append(item["text"])
            for value in item.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(item, list):
            for element in item:
                walk(element)

    walk(node)
    return "\n".join(parts)


@dataclass
class SlackWorld:
    runtime: Runtime
    platform: SlackPlatform
    client: TestClient
    api: FakeSlackApi
    api_url: str
    clock: FakeClock
    team: str = TEAM  # the workspace the next payloads come from
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def user(self, name: str, locale: str = "en-US") -> str:
        user_id = f"U{name.upper()}"
        if user_id not in self.api.users:
            self.api.add_user(SlackUser(user_id, name.title(), locale, tz=USER_TIME_ZONE))
        return user_id

    def trigger(self, user_id: str) -> str:
        """A trigger id as the fake Slack hands them out: it knows whose screen a view opens on."""
        return f"trigger.{next(self._ids)}.{user_id}"

    # --- sending what Slack sends ---------------------------------------------------------

    def signed(self, body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET):
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None, **sign: Any
    ) -> Any:
        all_headers = {"Content-Type": content_type, **self.signed(body, **sign), **(headers or {})}
        return await self.client.post("/slack/events", data=body.encode(), headers=all_headers)

    async def command(self, name: str, text: str = "", *, settle: bool = True) -> Any:
        """`/support <text>` from `name`; with `settle`, waits for the work after the answer."""
        user_id = self.user(name)
        form = {
            "token": "legacy",
            "team_id": self.team,
            "team_domain": "hospital",
            "channel_id": self.api.dm_of(user_id),
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": name,
            "command": "/support",
            "text": text,
            "api_app_id": "A0PEER",
            "is_enterprise_install": "false",
            "response_url": f"{self.api_url}respond/{user_id}/{next(self._ids)}",
            "trigger_id": self.trigger(user_id),
        }
        response = await self.post(urlencode(form), "application/x-www-form-urlencoded")
        if settle:
            await self.settle()
        return response

    async def interact(self, payload: dict[str, Any], **sign: Any) -> Any:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **sign)

    def _user_block(self, name: str) -> dict[str, Any]:
        return {"id": self.user(name), "username": name, "name": name, "team_id": self.team}

    def submission_payload(
        self, name: str, answers: dict[str, Any], locale: str = "en"
    ) -> dict[str, Any]:
        """The `view_submission` Slack sends when `name` submits the intake modal."""
        return {
            "type": "view_submission",
            "team": {"id": self.team, "domain": "hospital"},
            "user": self._user_block(name),
            "api_app_id": "A0PEER",
            "token": "legacy",
            "trigger_id": self.trigger(self.user(name)),
            "is_enterprise_install": False,
            "enterprise": None,
            "view": {
                "id": f"VMODAL{next(self._ids)}",
                "type": "modal",
                "callback_id": "intake",
                "private_metadata": locale,
                "team_id": self.team,
                "state": {"values": modal_state(answers)},
                "hash": "1700000000.abc",
            },
            "response_urls": [],
        }

    async def submit(self, name: str, answers: dict[str, Any], locale: str = "en") -> Any:
        """Submit the intake modal; returns the JSON answer (errors, or the view shown)."""
        response = await self.interact(self.submission_payload(name, answers, locale))
        assert response.status == 200, await response.text()
        await self.settle()
        answer = await response.json()
        if "view" in answer:  # the view the acknowledgement shows, checked as Slack checks it
            assert not view_problems(answer["view"]), view_problems(answer["view"])
        return answer

    async def click(self, name: str, posted: Posted, action: str, value: str | None = None) -> Any:
        """Click a button on a message in `name`'s DM (the first for `action`, or the one with
        `value`)."""
        element = next(
            element
            for block in posted.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"].split("#")[0] == action
            and (value is None or element["value"] == value)
        )
        payload = {
            "type": "block_actions",
            "user": self._user_block(name),
            "api_app_id": "A0PEER",
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": posted.ts,
                "channel_id": posted.channel,
                "is_ephemeral": posted.ephemeral,
            },
            "trigger_id": self.trigger(self.user(name)),
            "team": {"id": self.team, "domain": "hospital"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": posted.channel, "name": "directmessage"},
            "message": {
                "type": "message",
                "ts": posted.ts,
                "text": posted.text,
                "blocks": posted.blocks,
            },
            "state": {"values": {}},
            "response_url": f"{self.api_url}respond/{self.user(name)}/{next(self._ids)}"
            + (f"?ts={posted.ts}" if posted.ephemeral else ""),
            "actions": [
                {
                    **element,
                    "block_id": "b1",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        response = await self.interact(payload)
        assert response.status == 200, await response.text()
        await self.settle()
        return response

    async def open_home(self, name: str) -> dict[str, Any]:
        """`name` opens the app's Home tab; returns the view the bot published."""
        await self.event({"type": "app_home_opened", "user": self.user(name), "tab": "home"})
        return self.api.called("views.publish")[-1].args["view"]

    async def click_home(self, name: str, home: dict[str, Any], action: str) -> dict[str, Any]:
        """Click a button on `name`'s Home tab; returns the view the bot published after."""
        element = next(
            element
            for block in home["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"].split("#")[0] == action
        )
        payload = {
            "type": "block_actions",
            "user": self._user_block(name),
            "team": {"id": self.team},
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home"},
            "trigger_id": self.trigger(self.user(name)),
            "actions": [{**element, "block_id": "b1", "action_ts": f"{time.time():.6f}"}],
        }
        response = await self.interact(payload)
        assert response.status == 200, await response.text()
        await self.settle()
        return self.api.called("views.publish")[-1].args["view"]

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "legacy",
                "team_id": self.team,
                "api_app_id": "A0PEER",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": self.team,
                        "user_id": BOT_USER,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
            }
        )

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None
    ) -> Any:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        body = self.event_body(event, event_id)
        response = await self.post(body, "application/json", headers if retry else None)
        await self.settle()
        return response

    def dm_event(self, name: str, text: str) -> dict[str, Any]:
        user_id = self.user(name)
        ts = f"{time.time():.6f}"
        return {
            "type": "message",
            "channel": self.api.dm_of(user_id),
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
        }

    async def say(self, name: str, text: str) -> Posted:
        """Write to the bot in DM; returns the bot's reply there."""
        before = len(self.inbox(name))
        response = await self.event(self.dm_event(name, text))
        assert response.status == 200, await response.text()
        replies = self.inbox(name)[before:]
        assert len(replies) == 1, f"expected one reply, got {len(replies)}"
        return replies[0]

    # --- the other side ------------------------------------------------------------------

    async def settle(self) -> None:
        await self.platform.drained()

    async def run_jobs(self) -> int:
        done = await self.runtime.engine.run_due()
        await self.settle()
        return done

    def inbox(self, name: str) -> list[Posted]:
        """The bot's messages in its DM with `name`, oldest first (not the answers only they
        saw, to a slash command: those are `api.responses`)."""
        channel = self.api.dm_of(self.user(name))
        return [
            Posted(channel, stored)
            for stored in self.api.messages.get(channel, [])
            if stored.get("user") == self.api.bot_user_id and not stored.get("ephemeral")
        ]

    def seen_only_by(self, name: str) -> list[Posted]:
        """The answers only `name` saw (to a slash command), as they read now, oldest first."""
        channel = self.api.dm_of(self.user(name))
        stored = self.api.messages.get(channel, [])
        return [Posted(channel, message) for message in stored if message.get("ephemeral")]

    def now(self, posted: Posted) -> Posted:
        """`posted` as it reads in the fake Slack now."""
        [stored] = [m for m in self.api.messages[posted.channel] if m["ts"] == posted.ts]
        return Posted(posted.channel, stored)

    def offers(self, name: str) -> list[Posted]:
        return [m for m in self.inbox(name) if "offer.decline" in m.action_ids]

    async def make_peer(self, name: str, tier: Tier = Tier.PEER, *, on_call: bool = True) -> int:
        """Put `name` on the roster, on call from now on (unless `on_call` is False)."""
        person = Person(
            platform="slack",
            tenant_id=self.team,
            user_id=self.user(name),
            display_name=name.title(),
        )
        async with self.runtime.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, "slack", self.team, OrganisationDefaults(country="US")
            )
            identity = await identity_for(session, organisation, person)
            peer = Peer(
                organisation_id=organisation.id,
                identity_id=identity.id,
                tier=tier.value,
                training_valid_until=date(2030, 1, 1),
            )
            session.add(peer)
            await session.flush()
            if on_call:
                put_on_call(session, peer)
            return peer.id


def modal_state(answers: dict[str, Any]) -> dict[str, Any]:
    """Slack's `view.state.values` for the intake modal the bot opens (block id -> action id ->
    element), read from the modal itself so a change to its blocks is a change here too; as in
    Slack, only offered options can be chosen."""
    values: dict[str, Any] = {}
    for block in intake_view("en")["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind, answer = element["type"], answers.get(block["block_id"])
        offered = {option["value"] for option in element.get("options", [])}
        if kind == "static_select":
            assert not answer or answer in offered, f"{block_id}: {answer!r} is not offered"
            option = {"text": {"type": "plain_text", "text": answer}, "value": answer}
            state = {"selected_option": option if answer else None}
        elif kind == "checkboxes":
            assert set(answer or []) <= offered, f"{block_id}: {answer!r} are not all offered"
            state = {"selected_options": [{"value": v, "text": {}} for v in answer or []]}
        else:
            assert kind == "plain_text_input", f"a {kind} in the modal: teach the tests to fill it"
            state = {"value": answer}
        values[block_id] = {element["action_id"]: {"type": kind, **state}}
    return values


def fake_slack() -> FakeSlackApi:
    """The sandbox's fake Slack Web API, taking any bot token (OAuth tests use several)."""
    return FakeSlackApi(token=None, team_id=TEAM, bot_user_id=BOT_USER)


FORM = {"urgency": "now", "category": "adverse_event", "contact": "phone", "language": "en"}


def slack_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"{api_url}api/",
        "ENVIRONMENT": "test",
        "ENCRYPTION_KEYS": TEST_KEY,
        **overrides,
    }
    return Settings(_env_file=None, **values)


async def start_world(
    database: Database,
    database_url: str,
    vault: Vault,
    api: FakeSlackApi | None = None,
    **settings: Any,
) -> tuple[SlackWorld, list[Any]]:
    api = api or fake_slack()
    api_server = TestServer(api.app)
    await api_server.start_server()
    api_url = str(api_server.make_url("/"))
    clock = FakeClock()
    runtime = Runtime(
        settings=slack_settings(database_url, api_url, **settings), vault=vault, database=database
    )
    runtime.core.clock = clock
    runtime.engine.clock = clock
    app = create_web_app(runtime)
    platform = install(runtime)
    platform.mount(app)
    client = TestClient(TestServer(app))
    await client.start_server()
    world = SlackWorld(runtime, platform, client, api, api_url, clock)
    return world, [client, api_server]


@pytest.fixture
async def slack(
    database: Database, database_url: str, test_vault: Vault
) -> AsyncIterator[SlackWorld]:
    world, servers = await start_world(database, database_url, test_vault)
    yield world
    await world.platform.close()
    for server in servers:
        await server.close()
    # every surface the bot sent passed the checks Slack makes (bot/sandbox/block_kit.py)
    assert not world.api.invalid, world.api.invalid
