"""The Slack `ChatPlatform`: its routes on the web app, or its Socket Mode connection."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.slack.client import SharedSessionClient
from bot.slack.endpoint import EventsEndpoint
from bot.slack.inflight import Inflight
from bot.slack.replays import SeenSignatures

log = logging.getLogger(__name__)

EVENTS_ROUTE = "/slack/events"
INSTALL_ROUTE = "/slack/install"
REDIRECT_ROUTE = "/slack/oauth_redirect"


class SlackPlatform:
    def __init__(
        self,
        app: AsyncApp,
        inflight: Inflight,
        seen: SeenSignatures,
        *,
        signing_secret: str | None,
        app_token: str | None,
    ) -> None:
        self.app = app
        self.inflight = inflight
        self.seen = seen
        self.signing_secret = signing_secret
        self.app_token = app_token
        self._socket: AsyncSocketModeHandler | None = None

    def mount(self, app: web.Application) -> None:
        if self.signing_secret:
            endpoint = EventsEndpoint(
                self.app, self.signing_secret, self.seen, self.inflight.answers
            )
            app.router.add_post(EVENTS_ROUTE, endpoint.handle)
        if self.app.oauth_flow is not None:
            app.router.add_get(INSTALL_ROUTE, self._install)
            app.router.add_get(REDIRECT_ROUTE, self._oauth_redirect)
        if self.app_token:
            app.on_startup.append(self._connect_socket)

    async def _install(self, request: web.Request) -> web.Response:
        """Bolt's install page: an "Add to Slack" link, and the state cookie set with it.

        Straight to the OAuth flow: `async_dispatch` would ask for a Slack signature."""
        assert self.app.oauth_flow is not None
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(
            await self.app.oauth_flow.handle_installation(bolt_request)
        )

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        """Slack sends the installer back here: check the state, exchange the code, store the
        installation (a 4xx page when the state or the code is wrong)."""
        assert self.app.oauth_flow is not None
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await self.app.oauth_flow.handle_callback(bolt_request))

    async def _connect_socket(self, _app: web.Application) -> None:
        self._socket = AsyncSocketModeHandler(self.app, self.app_token)
        await self._socket.connect_async()
        log.info("slack: connected in Socket Mode")

    async def drained(self) -> None:
        """Wait for the work listeners do after acknowledging (a shutdown, a test)."""
        await self.inflight.drained()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        try:
            await self.inflight.drained()
        except TimeoutError:
            log.warning("slack: closing with listener work still running")
        if isinstance(self.app.client, SharedSessionClient):
            await self.app.client.close()
