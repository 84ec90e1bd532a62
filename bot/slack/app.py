"""The Bolt app: single workspace (bot token) or multi-workspace (OAuth), with our listeners."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.events import once_per_event
from bot.slack.listeners import SlackListeners
from bot.slack.replies import not_installed
from config.settings import Settings
from models.db import Database

# Bolt logs the request body when a signature check fails; bodies hold what people wrote.
QUIET_LOGGERS = ("slack_bolt.AsyncRequestVerification", "slack_bolt.RequestVerification")

REVOCATION_EVENTS = ("app_uninstalled", "tokens_revoked")


async def _nothing_to_do() -> None:
    return None


def build_app(
    settings: Settings,
    client: AsyncWebClient,
    database: Database,
    listeners: SlackListeners,
    oauth_settings: AsyncOAuthSettings | None = None,
) -> AsyncApp:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    app = AsyncApp(
        client=client,  # carries the bot token in single-workspace mode
        signing_secret=settings.slack_signing_secret or "",
        oauth_settings=oauth_settings,
        # An interaction Bolt has no listener for gets 404, not an exception in our logs.
        raise_error_for_unhandled_request=False,
        # Multi-workspace: what a person in a workspace without an installation is told.
        user_facing_authorize_error_message=not_installed(
            settings.default_locale, settings.default_country
        ),
    )
    app.use(once_per_event(database))
    if oauth_settings is not None:
        # app_uninstalled and tokens_revoked delete the workspace's installation (and tokens).
        app.enable_token_revocation_listeners()
    else:
        # The manifest subscribes to them for multi-workspace installs; a single workspace has
        # nothing to delete, but must answer 200 or Slack retries the event.
        for event in REVOCATION_EVENTS:
            app.event(event)(_nothing_to_do)
    listeners.register(app)
    return app
