"""`POST /api/messages`: check the request, then hand the activity to the adapter.

Checks run before the SDK sees anything, so a bad request gets a clear 4xx and changes nothing:
415 for a body that is not JSON, 401 for a missing, malformed or invalid token (`tokens`: what
needs no key is refused without one; 503 only when a token's key is not held and cannot be
fetched now), 400 for malformed JSON or an activity of a shape we do not handle (`shapes`).
The token is checked here, apart from the turn, because the SDK answers some bad requests with
500 (a missing Content-Type, a malformed Authorization header, a token signed with an unknown
key) and fetches signing keys with a blocking call inside the request.
"""

from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.core import Bot, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from msrest.exceptions import ClientRequestError
from msrest.serialization import Model
from requests.exceptions import InvalidHeader

from bot.teams.shapes import BadRequest, parse_activity
from bot.teams.tokens import KeysUnavailable, TokenGate, TokenRefused

log = logging.getLogger(__name__)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class MessagesEndpoint:
    def __init__(self, adapter: CloudAdapter, bot: Bot, tokens: TokenGate | None) -> None:
        """`tokens` is None with authentication off (no app id)."""
        self.adapter = adapter
        self.bot = bot
        self.tokens = tokens

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return _error(415, "expected Content-Type: application/json")
        header = request.headers.get("Authorization", "")
        if self.tokens is None and header:
            # Without an app id there is nothing to check a token against: refuse any.
            return _error(401, "invalid Authorization header")
        if self.tokens is not None:
            try:
                await self.tokens.admit(header)
            except TokenRefused as exc:
                log.warning("teams: refused a token (%s)", exc)
                return _error(401, "the request is not authorized")
            except KeysUnavailable:
                return _error(503, "the token cannot be verified now")
        try:
            activity = parse_activity(await request.read())
        except BadRequest as exc:
            return _error(400, str(exc))
        try:
            authenticated = await self.adapter.bot_framework_authentication.authenticate_request(
                activity, header
            )
        except PermissionError:  # the SDK's "no valid token" (an OSError: caught first)
            return _error(401, "the request is not authorized")
        except OSError as exc:  # the SDK fetching keys after all (it should not: `tokens`)
            log.error("teams: cannot verify tokens now (%s)", type(exc).__name__)
            return _error(503, "the token cannot be verified now")
        except Exception as exc:  # the SDK signals a bad token with assorted exception types
            log.warning("teams: request refused (%s)", type(exc).__name__)
            return _error(401, "the request is not authorized")
        try:
            invoke_response = await self.adapter.process_activity(
                authenticated, activity, self.bot.on_turn
            )
        except ClientRequestError as exc:
            if not isinstance(exc.inner_exception, InvalidHeader):
                raise
            # An id in the activity that cannot go in the reply's headers: nothing to answer.
            log.warning("teams: refused an activity whose ids cannot be replied to")
            return _error(400, "the activity holds ids that cannot be replied to")
        if invoke_response is None:
            return web.Response(status=201)
        body = invoke_response.body
        if isinstance(body, Model):  # ActivityHandler hands back plain dicts already
            body = serializer_helper(body)
        return web.json_response(body, status=invoke_response.status)
