"""The Teams `ChatPlatform`: its route on the web app."""

from __future__ import annotations

from aiohttp import web

from bot.teams.endpoint import MessagesEndpoint

ROUTE = "/api/messages"


class TeamsPlatform:
    def __init__(self, endpoint: MessagesEndpoint) -> None:
        self.endpoint = endpoint

    def mount(self, app: web.Application) -> None:
        app.router.add_post(ROUTE, self.endpoint.handle)
        if self.endpoint.tokens is not None:  # signing keys fetched and refreshed meanwhile
            app.on_startup.append(self._start_keys)
            app.on_cleanup.append(self._stop_keys)

    async def _start_keys(self, _app: web.Application) -> None:
        assert self.endpoint.tokens is not None
        self.endpoint.tokens.keys.start()

    async def _stop_keys(self, _app: web.Application) -> None:
        assert self.endpoint.tokens is not None
        await self.endpoint.tokens.keys.stop()

    async def close(self) -> None:
        """Nothing else to release: the SDK makes a connector client per turn and keeps none."""
