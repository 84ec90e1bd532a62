"""`POST /slack/events`: check the request, then hand it to Bolt.

The signature is checked here, before Bolt parses anything, so a forged or stale request gets
401, a malformed one 400 (`shapes`: Bolt would answer 500 for a body it cannot read; an event
Slack would retry gets 200 and is ignored) and a replayed one 409, and Bolt's own check, which
logs the request body when it fails, never sees a bad signature.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.payloads import Refused
from bot.slack import shapes
from bot.slack.answers_first import AnswersFirst
from bot.slack.replays import SeenSignatures

log = logging.getLogger(__name__)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class EventsEndpoint:
    def __init__(
        self,
        app: AsyncApp,
        signing_secret: str,
        seen: SeenSignatures,
        answers: AnswersFirst | None = None,
    ) -> None:
        """`answers`: where follow-up work learns which requests still wait for an answer."""
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.seen = seen
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
        bolt_request: AsyncBoltRequest | None = None
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers=dict(request.headers),
            )
            refused = shapes.refusal(bolt_request.body)
            if not refused:
                bolt_request.body = shapes.cleaned(bolt_request.body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return _error(400, "the body is not a Slack payload")  # not UTF-8, or not JSON
        except Refused as exc:
            refused = str(exc)
        except Exception as exc:  # Bolt reading ids out of a shape it did not expect
            log.warning("slack: refused a body Bolt cannot read (%s)", type(exc).__name__)
            refused = "the body is not a Slack payload"
        if refused:
            log.warning("slack: refused a malformed payload (%s)", refused)
            if bolt_request is not None and shapes.is_event(bolt_request.body):
                # Slack retries an event until it gets a 200: this one will never be better.
                return web.json_response({"ignored": refused}, status=200)
            return _error(400, refused)
        # Slack's own retries of an event (X-Slack-Retry-Num) must get 2xx, or it retries again:
        # the durable event id check answers those. The header is not signed, so it counts only
        # for events (JSON); commands and interactions are never retried by Slack.
        retry = (
            "X-Slack-Retry-Num" in request.headers and request.content_type == "application/json"
        )
        if not retry and not await self.seen.first_time(request.headers["X-Slack-Signature"]):
            log.warning("slack: refused a replayed request")
            return _error(409, "this request was already received")
        assert bolt_request is not None
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))
