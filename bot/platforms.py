"""Which chat platforms run in this process, and why the others do not (said in the log)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from config.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


class ChatPlatform(Protocol):
    """A platform adapter: it has registered its messenger; web processes also mount routes."""

    def mount(self, app: web.Application) -> None:
        """Add the platform's HTTP routes (and start-up/clean-up hooks) to the web app."""
        ...

    async def close(self) -> None:
        """Release clients and connections."""
        ...


def install_platforms(runtime: Runtime) -> list[ChatPlatform]:
    """Start the adapters the settings turn on and register their messengers on the runtime.

    Imported lazily so a process without Slack or Teams credentials never loads their SDKs.
    """
    settings = runtime.settings
    platforms: list[ChatPlatform] = []
    if settings.slack_enabled:
        from bot.slack import install as install_slack

        platforms.append(install_slack(runtime))
    if settings.microsoft_app_id or settings.teams_enabled:
        from bot.teams import install as install_teams

        platforms.append(install_teams(runtime))
    return platforms


def platform_status(settings: Settings) -> dict[str, str]:
    """A one-line reason per platform, for the start-up log and the health check."""
    status: dict[str, str] = {}
    if settings.slack_app_token:
        status["slack"] = "on (Socket Mode)"
    elif settings.slack_client_id:
        status["slack"] = "on (HTTP, multi-workspace install at /slack/install)"
    elif settings.slack_bot_token:
        status["slack"] = "on (HTTP, single workspace, POST /slack/events)"
    else:
        status["slack"] = "off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on"
    if settings.microsoft_app_id:
        status["teams"] = "on (POST /api/messages, Bot Framework authentication)"
    elif settings.teams_enabled:
        status["teams"] = "on without authentication (TEAMS_ENABLED, development only)"
    else:
        status["teams"] = "off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn it on"
    return status
