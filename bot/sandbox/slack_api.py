"""A stand-in for the Slack Web API, on loopback: what the sandbox, the benchmarks and the tests
point `SLACK_API_URL` at.

It answers the methods the bot calls the way Slack does (`{"ok": true, ...}`, `invalid_auth`,
`channel_not_found`), keeps each direct-message conversation, open modal and App Home view so a
page can show them, and can enforce Slack's published rate limits: HTTP 429 with `Retry-After`.
Mount `app` (routes `/api/{method}` and `/respond/{user}/{n}`) on any aiohttp server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# Slack's published limits (requests a minute per workspace) for the methods the bot uses.
TIER_LIMITS_PER_MINUTE: dict[str, int] = {
    "conversations.open": 50,  # tier 3
    "users.info": 100,  # tier 4
    "views.open": 100,
    "views.update": 100,
    "views.push": 100,
    "views.publish": 100,
}
# chat.postMessage: about one message a second per channel, and "several hundred" a minute per
# workspace; 300 is the conservative reading.
POST_PER_CHANNEL_PER_SECOND = 1.0
POST_PER_WORKSPACE_PER_MINUTE = 300
KEPT_CALLS = 10_000


@dataclass
class SlackUser:
    id: str
    name: str
    locale: str = "en-US"
    tz: str = "Europe/London"


@dataclass
class RateLimiter:
    """Sliding windows; `scale` multiplies every limit (benchmarks run faster than real time)."""

    scale: float = 1.0
    _calls: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def retry_after(self, key: str, limit: float, window: float) -> float | None:
        """Seconds to wait if one more call in `window` seconds would exceed `limit`."""
        now = time.monotonic()
        calls = self._calls[key]
        while calls and calls[0] <= now - window:
            calls.popleft()
        if len(calls) >= limit * self.scale:
            return calls[0] + window - now
        calls.append(now)
        return None


@dataclass
class SharedFile:
    """A file the bot uploaded (files_upload_v2): announced, then its bytes, then shared."""

    filename: str
    title: str = ""
    data: bytes = b""

    @property
    def content_type(self) -> str:
        return "image/png" if self.filename.lower().endswith(".png") else "application/octet-stream"


@dataclass
class OpenModal:
    """The modals on a person's screen (views.push stacks them; the last is shown), and the
    shown one's field errors."""

    stack: list[str]
    errors: dict[str, str] = field(default_factory=dict)


class FakeSlackApi:
    def __init__(
        self,
        *,
        token: str = "xoxb-sandbox",
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "U0BOT",
        rate_limits: RateLimiter | None = None,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.rate_limits = rate_limits
        self.users: dict[str, SlackUser] = {}
        self.version = 0  # moves on every change a page would show
        self._base = ""  # where this API is served, learnt from the first call
        self._changed = asyncio.Event()
        self.reset()
        self.app = web.Application()
        self.app.router.add_route("*", "/api/{method}", self._handle)
        self.app.router.add_post("/respond/{user}/{n}", self._respond)
        self.app.router.add_post("/upload/{file_id}", self._upload)
        self.app.router.add_get("/files/{file_id}", self._file)

    def reset(self) -> None:
        """Forget every conversation, view and call (the users stay)."""
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel -> messages
        self.views: dict[str, dict[str, Any]] = {}  # view id -> view (modals and homes)
        self.open_view: dict[str, OpenModal] = {}  # user id -> the modal on their screen
        self.home: dict[str, dict[str, Any]] = {}  # user id -> App Home view
        self.calls: deque[tuple[str, dict[str, Any]]] = deque(maxlen=KEPT_CALLS)
        self.counts: Counter[str] = Counter()  # every call answered, by method
        self.throttled = 0
        self.files: dict[str, SharedFile] = {}  # file id -> an uploaded file
        self._ids = itertools.count(1)
        self.touch()

    # --- what a page (or a test) reads and does ---------------------------------------------

    def add_user(self, user: SlackUser) -> None:
        self.users[user.id] = user

    def dm_of(self, user_id: str) -> str:
        """The app's DM channel with a user: one per user, and the same after a reset."""
        return f"D{user_id.removeprefix('U')}"

    def user_of_channel(self, channel: str) -> str | None:
        user = f"U{channel[1:]}" if channel.startswith("D") else None
        return user if user in self.users else None

    def dm(self, user_id: str) -> list[dict[str, Any]]:
        return self.messages.get(self.dm_of(user_id), [])

    def modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal on `user_id`'s screen with its field errors, or None."""
        shown = self.open_view.get(user_id)
        if shown is None:
            return None
        return {**self.views[shown.stack[-1]], "errors": shown.errors}

    def close_modal(self, user_id: str) -> None:
        """Close the modal shown (a pushed one goes back to the one under it)."""
        shown = self.open_view.get(user_id)
        if shown is None:
            return
        shown.stack.pop()
        shown.errors = {}
        if not shown.stack:
            del self.open_view[user_id]
        self.touch()

    def show_submission_answer(self, user_id: str, answer: dict[str, Any]) -> None:
        """What Slack does with the bot's answer to a view_submission: errors, update or close."""
        shown = self.open_view.get(user_id)
        if shown is None:
            return
        action = answer.get("response_action")
        view = answer.get("view") if isinstance(answer.get("view"), dict) else None
        if action == "errors":
            shown.errors = dict(answer.get("errors") or {})
        elif action == "update" and view is not None:
            self._view(view, shown.stack[-1])
            shown.errors = {}
        elif action == "push" and view is not None:
            shown.stack.append(self._view(view)["id"])
            shown.errors = {}
        elif action == "clear":
            del self.open_view[user_id]
        else:  # an empty acknowledgement closes the modal submitted
            self.close_modal(user_id)
        self.touch()

    def post_from_user(self, user_id: str, text: str) -> dict[str, Any]:
        """A person writes in their DM with the app; returns the message as Slack stores it."""
        message = {"ts": self._ts(), "user": user_id, "text": text, "blocks": []}
        self.messages[self.dm_of(user_id)].append(message)
        self.touch()
        return message

    async def wait_for_change(self, since: int) -> int:
        """Wait until `version` moves past `since`; returns it (callers bound the wait with
        `asyncio.timeout`). A `since` from before a restart (past `version`) answers at once."""
        while self.version == since:
            await self._changed.wait()
        return self.version

    def touch(self) -> None:
        """Something a page shows has changed: wake whoever waits for it."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def _ts(self) -> str:
        return f"{time.time():.0f}.{next(self._ids):06d}"

    # --- the HTTP side -------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        for name in ("blocks", "view", "attachments"):
            if isinstance(params.get(name), str):
                params[name] = json.loads(params[name])
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        wait = self._throttle(method, params)
        if wait is not None:
            self.throttled += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        self.calls.append((method, params))
        self.counts[method] += 1
        # Where this API is served (the page mounts it under a prefix): upload and file URLs.
        self._base = str(request.url.origin()) + request.path.rsplit("/api/", 1)[0]
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        answer = handler(params)
        if answer.get("ok") and method not in ("auth.test", "users.info", "conversations.open"):
            self.touch()
        return web.json_response(answer)

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal handed out: it takes the file's bytes."""
        shared = self.files.get(request.match_info["file_id"])
        if shared is None:
            return web.Response(status=404, text="unknown upload")
        shared.data = await request.read()
        return web.Response(text=f"OK - {len(shared.data)}")

    async def _file(self, request: web.Request) -> web.Response:
        shared = self.files.get(request.match_info["file_id"])
        if shared is None or not shared.data:
            return web.Response(status=404, text="no such file")
        return web.Response(body=shared.data, content_type=shared.content_type)

    async def _respond(self, request: web.Request) -> web.Response:
        """A `response_url`: what the bot answers there shows in the person's DM, for them only."""
        user = request.match_info["user"]
        if user not in self.users:
            return web.Response(status=404, text="no_user")
        answer = await request.json()
        self.messages[self.dm_of(user)].append(
            {
                "ts": self._ts(),
                "user": self.bot_user_id,
                "text": answer.get("text", ""),
                "blocks": answer.get("blocks") or [],
                "ephemeral": answer.get("response_type", "ephemeral") == "ephemeral",
            }
        )
        self.touch()
        return web.Response(text="ok")

    def _throttle(self, method: str, params: dict[str, Any]) -> float | None:
        limiter = self.rate_limits
        if limiter is None:
            return None
        if method == "chat.postMessage":
            channel = str(params.get("channel", ""))
            return limiter.retry_after(
                f"post:{channel}", POST_PER_CHANNEL_PER_SECOND, 1.0
            ) or limiter.retry_after("post", POST_PER_WORKSPACE_PER_MINUTE, 60.0)
        if method in TIER_LIMITS_PER_MINUTE:
            return limiter.retry_after(method, TIER_LIMITS_PER_MINUTE[method], 60.0)
        return None

    # --- the methods ----------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": "B0BOT",
            "url": "https://sandbox.invalid/",
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": self.team_id,
                "name": user.name.lower().replace(" ", "."),
                "real_name": user.name,
                "tz": user.tz,
                "locale": user.locale,
                "profile": {"real_name": user.name, "display_name": user.name},
            },
        }

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("users", "")).split(",")[0]
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": self.dm_of(user)}}

    def _channel(self, params: dict[str, Any]) -> str | None:
        channel = str(params.get("channel", ""))
        if channel in self.users:  # posting to a user id posts to the app's DM with them
            return self.dm_of(channel)
        return channel if self.user_of_channel(channel) else None

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        message = {
            "ts": self._ts(),
            "user": self.bot_user_id,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
        }
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        found = next(
            (m for m in self.messages.get(channel or "", []) if m["ts"] == params.get("ts")), None
        )
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        found.update(text=params.get("text", ""), blocks=params.get("blocks", []), edited=True)
        return {"ok": True, "channel": channel, "ts": found["ts"]}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = SharedFile(filename=str(params.get("filename", "file")))
        return {"ok": True, "upload_url": f"{self._base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        """Share the uploaded files in a DM: each shows there as an image message."""
        items = params.get("files")
        items = json.loads(items) if isinstance(items, str) else items or []
        channel = self._channel({"channel": params.get("channel_id", "")})
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        for item in items:
            shared = self.files.get(str(item.get("id")))
            if shared is None or not shared.data:
                return {"ok": False, "error": "file_upload_not_complete"}
            shared.title = str(item.get("title") or shared.filename)
        for item in items:
            shared = self.files[str(item["id"])]
            image = {
                "type": "image",
                "image_url": f"{self._base}/files/{item['id']}",
                "alt_text": shared.title,
                "title": {"type": "plain_text", "text": shared.title},
            }
            self.messages[channel].append(
                {"ts": self._ts(), "user": self.bot_user_id, "text": "", "blocks": [image]}
            )
        return {"ok": True, "files": [{"id": item["id"]} for item in items]}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params) or self.dm_of(str(params.get("user")))
        self.messages[channel].append(
            {
                "ts": self._ts(),
                "user": self.bot_user_id,
                "text": params.get("text", ""),
                "blocks": params.get("blocks", []),
                "ephemeral": True,
            }
        )
        return {"ok": True, "message_ts": self.messages[channel][-1]["ts"]}

    def _view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "team_id": self.team_id, "hash": self._ts()}
        self.views[view_id] = stored
        return stored

    def _trigger_user(self, params: dict[str, Any]) -> str | None:
        # Trigger ids are made by whoever plays Slack's client: "trigger.<n>.<user id>".
        trigger = str(params.get("trigger_id", ""))
        user = trigger.split(".")[-1] if trigger.startswith("trigger.") else None
        return user if user in self.users else None

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._trigger_user(params)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        view = self._view(params["view"])
        self.open_view[user] = OpenModal([view["id"]])
        return {"ok": True, "view": view}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._trigger_user(params)
        shown = self.open_view.get(user) if user else None
        if shown is None:
            return {"ok": False, "error": "expired_trigger_id"}
        view = self._view(params["view"])
        shown.stack.append(view["id"])
        shown.errors = {}
        return {"ok": True, "view": view}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id", ""))
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._view(params["view"], view_id)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user_id", ""))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        self.home[user] = self._view(params["view"])
        return {"ok": True, "view": self.home[user]}
