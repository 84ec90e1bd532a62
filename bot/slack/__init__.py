"""Slack adapter (slack-bolt on aiohttp): /support and its modal, DMs, buttons, App Home.

Everything Slack-specific lives in this package; the use cases are in `handlers/`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.slack.app import build_app
from bot.slack.client import web_client
from bot.slack.installations import EncryptedInstallationStore
from bot.slack.listeners import SlackListeners
from bot.slack.messenger import BULK_WINDOW, SlackMessenger
from bot.slack.oauth import oauth_settings
from bot.slack.people import PLATFORM
from bot.slack.platform import SlackPlatform
from bot.slack.replays import SeenSignatures
from bot.slack.tokens import TokenSource, static_token
from config.settings import ConfigError

if TYPE_CHECKING:
    from bot.runtime import Runtime


def install(runtime: Runtime) -> SlackPlatform:
    """Register the Slack messenger (workers need only that) and return the web platform."""
    settings = runtime.settings
    client = web_client(settings.slack_api_url, settings.slack_bot_token)
    oauth: AsyncOAuthSettings | None = None
    if settings.slack_client_id and settings.slack_client_secret:
        engine = runtime.database.engine
        installations = EncryptedInstallationStore(settings.slack_client_id, engine)
        tokens: TokenSource = installations.bot_token
        oauth = oauth_settings(
            settings.slack_client_id,
            settings.slack_client_secret,
            settings.slack_api_url,
            installations,
            engine,
            welcome=runtime.awareness.welcome_installer,
        )
    elif settings.slack_bot_token:
        tokens = static_token(settings.slack_bot_token)
    else:
        raise ConfigError(
            "SLACK_BOT_TOKEN: set it (one workspace), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(multi-workspace install)"
        )
    runtime.messengers.register(
        PLATFORM, SlackMessenger(client, tokens, runtime.database), BULK_WINDOW
    )
    listeners = SlackListeners(
        runtime.core,
        runtime.requests,
        runtime.statuses,
        runtime.actions,
        runtime.commands,
        runtime.disclosures,
    )
    app = build_app(settings, client, runtime.database, listeners, oauth)
    return SlackPlatform(
        app,
        listeners.inflight,
        SeenSignatures(runtime.database),
        signing_secret=settings.slack_signing_secret,
        app_token=settings.slack_app_token,
    )


__all__ = ["SlackPlatform", "install"]
