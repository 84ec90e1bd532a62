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
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.runtime import Runtime
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


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Upload:
    """A file the bot uploaded (files_upload_v2): its bytes, and where it was shared."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes = b""
    title: str | None = None
    channel: str | None = None  # set by files.completeUploadExternal


@dataclass
class Posted:
    """A message the bot posted in a DM, as it reads now (after any chat.update)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: int = 0

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


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack:
    """Answers like the Slack Web API; `fail_next` queues error answers for one method."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self.users: dict[str, tuple[str, str]] = {}  # user id -> (name, locale)
        self.messages: dict[tuple[str, str], Posted] = {}
        self.responses: list[dict[str, Any]] = []  # what was posted to response_url
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.refused: list[str] = []
        self.uploads: dict[str, Upload] = {}  # file id -> upload, in the order they began
        self._ts = itertools.count(1)
        self._origin = ""  # this server's own address, for the upload URLs it hands out
        self.app = web.Application()
        self.app.router.add_route("*", "/api/{method}", self._api)
        self.app.router.add_post("/respond/{id}", self._respond)
        self.app.router.add_post("/upload/{file_id}", self._upload)

    def fail_next(self, method: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(method, []).append((status, headers or {}))

    def called(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def dm(self, user_id: str) -> list[Posted]:
        """The bot's messages in its DM with `user_id`, oldest first."""
        channel = f"D{user_id}"
        return [posted for (ch, _), posted in self.messages.items() if ch == channel]

    def files(self, channel: str) -> list[Upload]:
        """The files shared in `channel` (uploads completed there), oldest first."""
        return [upload for upload in self.uploads.values() if upload.channel == channel]

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal handed out: takes the bytes, as Slack's."""
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        upload.data = await request.read()
        return web.Response(text=f"OK - {len(upload.data)}")

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.failures.get(method):
            status, headers = self.failures[method].pop(0)
            self.refused.append(method)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=status, headers=headers
            )
        args: dict[str, Any] = dict(request.query)  # slack_sdk sends some arguments this way
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.method == "POST":
            args.update({key: _decode(value) for key, value in (await request.post()).items()})
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") or None
        self.calls.append(ApiCall(method, args, token))
        self._origin = str(request.url.origin())
        answer = self._answer(method, args)
        return web.json_response({"ok": True, **answer})

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"user_id": BOT_USER, "bot_id": "BBOT", "team_id": TEAM, "team": "Hospital"}
        if method == "users.info":
            name, locale = self.users.get(args["user"], ("Someone", "en-US"))
            return {
                "user": {
                    "id": args["user"],
                    "team_id": TEAM,
                    "real_name": name,
                    "locale": locale,
                    "tz": USER_TIME_ZONE,
                    "profile": {"display_name": name, "real_name": name},
                }
            }
        if method == "conversations.open":
            return {"channel": {"id": f"D{args['users']}"}}
        if method == "chat.postMessage":
            ts = f"{1700000000 + next(self._ts)}.000100"
            posted = Posted(args["channel"], ts, args.get("text", ""), args.get("blocks") or [])
            self.messages[(args["channel"], ts)] = posted
            return {"channel": args["channel"], "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            posted = self.messages[(args["channel"], args["ts"])]
            posted.text, posted.blocks = args.get("text", ""), args.get("blocks") or []
            posted.updates += 1
            return {"channel": args["channel"], "ts": args["ts"]}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            alt_txt = args.get("alt_txt")
            self.uploads[file_id] = Upload(file_id, args["filename"], int(args["length"]), alt_txt)
            return {"upload_url": f"{self._origin}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            completed = []
            for item in _decode(args["files"]):  # JSON, in the query string or the form
                upload = self.uploads[item["id"]]
                if not upload.data:  # never sent to its upload URL
                    return {"ok": False, "error": "file_upload_not_complete"}
                upload.title, upload.channel = item.get("title"), args.get("channel_id")
                completed.append({"id": upload.file_id, "title": upload.title})
            return {"files": completed}
        if method in ("views.open", "views.update", "views.publish"):
            return {"view": {"id": f"V{next(self._ts)}", **(args.get("view") or {})}}
        return {}


@dataclass
class SlackWorld:
    runtime: Runtime
    platform: SlackPlatform
    client: TestClient
    api: FakeSlack
    api_url: str
    clock: FakeClock
    team: str = TEAM  # the workspace the next payloads come from
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def user(self, name: str, locale: str = "en-US") -> str:
        user_id = f"U{name.upper()}"
        self.api.users.setdefault(user_id, (name.title(), locale))
        return user_id

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

    async def command(self, name: str, text: str = "") -> Any:
        user_id = self.user(name)
        form = {
            "token": "legacy",
            "team_id": self.team,
            "team_domain": "hospital",
            "channel_id": f"D{user_id}",
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": name,
            "command": "/support",
            "text": text,
            "api_app_id": "A0PEER",
            "is_enterprise_install": "false",
            "response_url": f"{self.api_url}respond/{next(self._ids)}",
            "trigger_id": f"trigger-{name}-{next(self._ids)}",
        }
        response = await self.post(urlencode(form), "application/x-www-form-urlencoded")
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
            "trigger_id": f"trigger-{next(self._ids)}",
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
        return await response.json()

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
                "is_ephemeral": False,
            },
            "trigger_id": f"trigger-{name}-{next(self._ids)}",
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
            "response_url": f"{self.api_url}respond/{next(self._ids)}",
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
            "trigger_id": f"trigger-{name}-{next(self._ids)}",
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
            "channel": f"D{user_id}",
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
        }

    async def say(self, name: str, text: str) -> Posted:
        """Write to the bot in DM; returns the bot's reply there."""
        before = len(self.api.dm(self.user(name)))
        response = await self.event(self.dm_event(name, text))
        assert response.status == 200, await response.text()
        replies = self.api.dm(self.user(name))[before:]
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
        return self.api.dm(self.user(name))

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
    api: FakeSlack | None = None,
    **settings: Any,
) -> tuple[SlackWorld, list[Any]]:
    api = api or FakeSlack()
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
