"""`POST /slack/events`: check the request, then hand it to Bolt.

The signature is checked here, before Bolt parses anything, so a forged or stale request gets
401, a replayed one 409 and a malformed one 400 (Bolt would answer 500 for a body it cannot
parse), and Bolt's own check, which logs the request body when it fails, never sees a bad
signature.
"""

from __future__ import annotations

import logging
from time import monotonic

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.answers_first import AnswersFirst

log = logging.getLogger(__name__)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def well_formed(body: object) -> bool:
    """The shapes Bolt reads without checking: a payload Slack never sends would crash it."""
    if not isinstance(body, dict) or not body:
        return False
    objects = ("team", "user", "view", "container", "channel", "message", "event")
    if any(key in body and not isinstance(body[key], (dict, type(None))) for key in objects):
        return False
    if body.get("type") in ("view_submission", "view_closed"):
        view = body.get("view")
        return isinstance(view, dict) and isinstance(view.get("type"), str)
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        return isinstance(actions, list) and all(isinstance(a, dict) for a in actions)
    return True


class RecentSignatures:
    """Signatures this process accepted within Slack's timestamp window: the exact same request
    again is a replay. (Across web processes the durable keys, event ids and form ids, make a
    replay change nothing; this answers it plainly where it can.)"""

    WINDOW_SECONDS = 60 * 5 + 60  # Slack's five minutes, and clock skew

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}  # signature -> when it stops mattering, oldest first

    def first_time(self, signature: str) -> bool:
        now = monotonic()
        while self._seen:
            oldest, until = next(iter(self._seen.items()))
            if until > now:
                break
            del self._seen[oldest]
        if signature in self._seen:
            return False
        self._seen[signature] = now + self.WINDOW_SECONDS
        return True


class EventsEndpoint:
    def __init__(
        self, app: AsyncApp, signing_secret: str, answers: AnswersFirst | None = None
    ) -> None:
        """`answers`: where follow-up work learns which requests still wait for an answer."""
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.recent = RecentSignatures()
        self.answers = answers or AnswersFirst()

    async def handle(self, request: web.Request) -> web.Response:
        with self.answers.answering():
            return await self._answer(request)

    async def _answer(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            signed = self.verifier.is_valid_request(raw, request.headers)
        except ValueError:  # a timestamp that is not a number
            signed = False
        if not signed:
            log.warning("slack: refused a request with a missing, invalid or stale signature")
            return _error(401, "invalid or stale signature")
        # Slack's own retries of an event (X-Slack-Retry-Num) must get 2xx, or it retries again:
        # the durable event id check answers those. The header is not signed, so it counts only
        # for events (JSON); commands and interactions are never retried by Slack.
        retry = (
            "X-Slack-Retry-Num" in request.headers and request.content_type == "application/json"
        )
        if not retry and not self.recent.first_time(request.headers["X-Slack-Signature"]):
            log.warning("slack: refused a replayed request")
            return _error(409, "this request was already received")
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers=dict(request.headers),
            )
        except (ValueError, AttributeError, TypeError, KeyError):
            # not UTF-8, JSON that does not parse, or not an object: Bolt chokes on all three
            return _error(400, "the body is not a Slack payload")
        if not well_formed(bolt_request.body):
            return _error(400, "the body is not a Slack payload")
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))
