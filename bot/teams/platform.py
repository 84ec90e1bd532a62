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

    async def close(self) -> None:
        """Nothing to release: the SDK makes a connector client per turn and keeps none."""
