"""Which chat platforms run in this process, and why the others do not (said in the log)."""

from __future__ import annotations

from config.settings import Settings


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
