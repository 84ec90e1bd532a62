"""A stand-in for the Slack Web API, on loopback: what the sandbox, the benchmarks and the tests
point `SLACK_API_URL` at.

It answers the methods the bot calls the way Slack does (`slack_methods`), keeps each
direct-message conversation, open modal and App Home view so a page (or a test) can show them,
records every call with its token, can enforce Slack's published rate limits (HTTP 429 with
`Retry-After`), and can be told to fail the next call of a method (`fail_next`) or to answer it
late (`hold_next`). Mount `app`
(routes `/api/{method}`, `/respond/{user}/{n}`, `/upload/{file}`, `/files/{file}`) on any aiohttp
server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter, defaultdict, deque
from typing import Any

from aiohttp import web

from bot.sandbox.block_kit import blocks_problems, refusal, surface_problems
from bot.sandbox.slack_methods import SlackMethods
from bot.sandbox.slack_state import ApiCall, OpenModal, RateLimiter, SharedFile, SlackUser

KEPT_CALLS = 10_000
# Calls that change nothing a page shows (the page is not woken for them).
READS = ("auth.test", "users.info", "conversations.open")


class FakeSlackApi(SlackMethods):
    def __init__(
        self,
        *,
        token: str | None = "xoxb-sandbox",
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "U0BOT",
        rate_limits: RateLimiter | None = None,
    ) -> None:
        """`token`: the only bot token accepted (None: any, for several workspaces)."""
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.rate_limits = rate_limits
        self.users: dict[str, SlackUser] = {}
        self.version = 0  # moves on every change a page would show
        self._base = ""  # where this API is served, learnt from the first call
        self._changed = asyncio.Event()
        self._failures: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
        self._holds: dict[str, list[float]] = defaultdict(list)
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
        self.calls: deque[ApiCall] = deque(maxlen=KEPT_CALLS)
        self.counts: Counter[str] = Counter()  # every call answered, by method
        self.throttled = 0
        self.files: dict[str, SharedFile] = {}  # file id -> an uploaded file
        self.responses: list[dict[str, Any]] = []  # what the bot answered at response_urls
        self.refused: list[str] = []  # methods answered with an error queued by fail_next
        # (method, what was wrong) of each surface refused as Slack refuses it (`invalid_blocks`)
        self.invalid: list[tuple[str, list[str]]] = []
        self._ids = itertools.count(1)
        self.touch()

    def add_user(self, user: SlackUser) -> None:
        self.users[user.id] = user

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
        if problems := blocks_problems(answer.get("blocks")):
            self.invalid.append(("response_url", problems))
            return web.Response(status=400, text="invalid_blocks")
        self.responses.append(answer)
        # A click's response_url names the ephemeral message clicked (`?ts=`): it is replaced.
        clicked = request.query.get("ts")
        if answer.get("replace_original") and clicked:
            for stored in self.messages[self.dm_of(user)]:
                if stored["ts"] == clicked:
                    stored.update(text=answer.get("text", ""), blocks=answer.get("blocks") or [])
                    stored["updates"] = stored.get("updates", 0) + 1
            self.touch()
            return web.Response(text="ok")
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

    def called(self, method: str) -> list[ApiCall]:
        """The calls of `method` answered, oldest first."""
        return [call for call in self.calls if call.method == method]

    def fail_next(self, method: str, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next call of `method` with HTTP `status` (429 with `Retry-After`, a 5xx)."""
        self._failures[method].append((status, headers or {}))

    def hold_next(self, method: str, seconds: float) -> None:
        """Answer the next call of `method` only after `seconds` (a slow Slack)."""
        self._holds[method].append(seconds)

    def files_in(self, channel: str) -> list[SharedFile]:
        """The files shared in `channel`, in the order they were uploaded."""
        return [shared for shared in self.files.values() if shared.channel == channel]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") or None
        if token is None or (self.token is not None and token != self.token):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self._holds.get(method):
            await asyncio.sleep(self._holds[method].pop(0))
        if self._failures.get(method):
            status, headers = self._failures[method].pop(0)
            self.refused.append(method)
            error = "ratelimited" if status == 429 else "internal_error"
            return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        wait = self.rate_limits.throttle(method, params) if self.rate_limits else None
        if wait is not None:
            self.throttled += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        self.calls.append(ApiCall(method, params, token))
        self.counts[method] += 1
        # Where this API is served (the page mounts it under a prefix): upload and file URLs.
        self._base = str(request.url.origin()) + request.path.rsplit("/api/", 1)[0]
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if problems := surface_problems(method, params):
            self.invalid.append((method, problems))
            return web.json_response(refusal(method, problems))
        answer = handler(params)
        if answer.get("ok") and method not in READS:
            self.touch()
        return web.json_response(answer)
