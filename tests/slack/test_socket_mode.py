"""Socket Mode: with `SLACK_APP_TOKEN` the bot dials out to Slack over a WebSocket instead of
being called at `/slack/events`; the same listeners answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import Runtime
from bot.sandbox.slack_api import FakeSlackApi
from bot.slack import install
from bot.web import create_web_app
from models.crypto import Vault
from models.db import Database
from tests.slack.conftest import BOT_USER, TEAM, slack_settings

APP_TOKEN = "xapp-1-A0PEER-1-socket"


class SocketSlack(FakeSlackApi):
    """The fake Web API plus Slack's Socket Mode: `apps.connections.open` hands out a WebSocket
    URL, and the socket carries envelopes to the bot and its acknowledgements back."""

    def __init__(self) -> None:
        super().__init__(token=None, team_id=TEAM, bot_user_id=BOT_USER)
        self.app.router.add_get("/link", self._link)
        self.socket_url = ""
        self.connected = asyncio.Event()
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._socket: web.WebSocketResponse | None = None

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url}

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        self._socket = socket
        self.connected.set()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                await self.acks.put(json.loads(message.data))
        return socket

    async def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Deliver an envelope; returns the bot's acknowledgement of it."""
        assert self._socket is not None
        await self._socket.send_json(envelope)
        return await asyncio.wait_for(self.acks.get(), timeout=5)


@pytest.fixture
async def socket_world(
    database: Database, database_url: str, test_vault: Vault
) -> AsyncIterator[tuple[SocketSlack, Runtime, Any]]:
    api = SocketSlack()
    api_server = TestServer(api.app)
    await api_server.start_server()
    api.socket_url = str(api_server.make_url("/link")).replace("http://", "ws://")
    settings = slack_settings(
        database_url,
        str(api_server.make_url("/")),
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=None,
    )
    runtime = Runtime(settings=settings, vault=test_vault, database=database)
    app = create_web_app(runtime)
    platform = install(runtime)
    platform.mount(app)
    client = TestClient(TestServer(app))
    await client.start_server()  # the bot connects on start-up
    await asyncio.wait_for(api.connected.wait(), timeout=5)
    yield api, runtime, (client, platform)
    await platform.close()
    await client.close()
    await api_server.close()


async def test_socket_mode_support_command_opens_the_form(socket_world) -> None:
    api, _runtime, (client, platform) = socket_world
    connection = api.called("apps.connections.open")
    assert connection and connection[0].token == APP_TOKEN
    assert (await client.post("/slack/events", data=b"{}")).status == 404  # no HTTP route

    ack = await api.send(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "team_id": TEAM,
                "user_id": "UNURSE",
                "user_name": "nurse",
                "channel_id": "DNURSE",
                "command": "/support",
                "text": "",
                "api_app_id": "A0PEER",
                "response_url": api.socket_url.replace("ws://", "http://") + "/../respond/1",
                "trigger_id": "trigger-socket-1",
            },
        }
    )
    assert ack["envelope_id"] == "env-1"
    await platform.drained()
    opened = api.called("views.open")
    assert len(opened) == 1
    assert opened[0].args["trigger_id"] == "trigger-socket-1"
    assert opened[0].args["view"]["callback_id"] == "intake"
