"""The other half of playing Slack: what Slack's servers send to the bot's `/slack/events`.

Slash commands arrive form-encoded, interactions as a `payload` form field, events as JSON with
an `event_id`; every request carries `X-Slack-Request-Timestamp` and the v0 HMAC signature of
`v0:{timestamp}:{body}` with the app's signing secret, exactly as Slack signs them. Timestamps
are real time, never the sandbox clock: the bot checks them against its own clock.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

APP_ID = "A0SANDBOX"
TEAM_DOMAIN = "sandbox"


@dataclass
class Delivery:
    """What the bot answered: status and body (a modal submission's answer is in the body)."""

    status: int
    body: str

    def json(self) -> dict[str, Any]:
        try:
            answer = json.loads(self.body) if self.body.strip() else {}
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}


@dataclass
class SignedSlack:
    events_url: str  # the bot's POST /slack/events
    signing_secret: str
    team_id: str
    bot_user_id: str
    respond_base: str  # where response_url points (the fake Web API's /respond/)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def trigger_id(self, user_id: str) -> str:
        return f"trigger.{next(self._ids)}.{user_id}"

    def _response_url(self, user_id: str, clicked_ts: str | None = None) -> str:
        """Where the bot answers; a click's names the message clicked, so the fake Slack can
        replace an ephemeral one in place (Slack's own response_urls are opaque)."""
        url = f"{self.respond_base}{user_id}/{next(self._ids)}"
        return f"{url}?ts={clicked_ts}" if clicked_ts else url

    async def _post(self, body: str, content_type: str) -> Delivery:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(self.signing_secret).generate_signature(
            timestamp=stamp, body=body
        )
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(self.events_url, data=body.encode(), headers=headers) as response,
        ):
            return Delivery(response.status, await response.text())

    def _user(self, user_id: str, name: str) -> dict[str, Any]:
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": TEAM_DOMAIN}

    async def _interact(self, payload: dict[str, Any]) -> Delivery:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post(body, "application/x-www-form-urlencoded")

    async def command(self, user_id: str, name: str, command: str, text: str) -> Delivery:
        form = {
            "token": "sandbox",
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": f"D{user_id.removeprefix('U')}",
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._response_url(user_id),
            "trigger_id": self.trigger_id(user_id),
        }
        return await self._post(urlencode(form), "application/x-www-form-urlencoded")

    async def view_submission(
        self, user_id: str, name: str, view: dict[str, Any], values: dict[str, Any]
    ) -> Delivery:
        shown = {key: value for key, value in view.items() if key != "errors"}
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id, name),
            "api_app_id": APP_ID,
            "token": "sandbox",
            "trigger_id": self.trigger_id(user_id),
            "is_enterprise_install": False,
            "enterprise": None,
            "view": {**shown, "state": {"values": values}},
            "response_urls": [],
        }
        return await self._interact(payload)

    async def block_action(
        self,
        user_id: str,
        name: str,
        action: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        channel: str | None = None,
        view: dict[str, Any] | None = None,
    ) -> Delivery:
        """A click on a message's button (`message` and `channel`) or in a view (`view`)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, name),
            "api_app_id": APP_ID,
            "token": "sandbox",
            "trigger_id": self.trigger_id(user_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "response_url": self._response_url(user_id, message["ts"] if message else None),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = {k: v for k, v in view.items() if k != "errors"}
        else:
            assert message is not None and channel is not None
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": bool(message.get("ephemeral")),
            }
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = {
                "type": "message",
                "ts": message["ts"],
                "text": message.get("text", ""),
                "blocks": message.get("blocks") or [],
            }
        return await self._interact(payload)

    async def event(self, event: dict[str, Any]) -> Delivery:
        body = {
            "token": "sandbox",
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{int(time.time())}{next(self._ids):06d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return await self._post(json.dumps(body), "application/json")

    async def direct_message(self, user_id: str, channel: str, text: str, ts: str) -> Delivery:
        return await self.event(
            {
                "type": "message",
                "channel": channel,
                "user": user_id,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "im",
            }
        )

    async def home_opened(self, user_id: str, channel: str) -> Delivery:
        return await self.event(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": channel,
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
        )
