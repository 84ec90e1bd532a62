"""Multi-workspace install: Bolt's OAuth flow (`GET /slack/install`, `GET /slack/oauth_redirect`)
on our encrypted stores. Each workspace that installs the app becomes its own organisation the
first time one of its people uses the bot (handlers.people.organisation_for)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.slack.installations import STATE_SECONDS, EncryptedInstallationStore, OAuthStateStore
from bot.slack.platform import INSTALL_ROUTE, REDIRECT_ROUTE
from handlers.core.people import Person

log = logging.getLogger(__name__)

# The bot scopes of manifest.yaml (a test checks the two agree).
BOT_SCOPES = (
    "chat:write",
    "commands",
    "files:write",  # the report's chart, uploaded to a coordinator's DM
    "im:history",
    "im:read",
    "im:write",
    "users:read",
)
API_SUFFIX = "/api/"


def authorization_url(api_url: str) -> str | None:
    """Where installers approve the app: beside the Web API (slack.com, GovSlack's
    slack-gov.com); None (Bolt's default, slack.com) for a base URL of another shape."""
    base = api_url if api_url.endswith("/") else api_url + "/"
    if not base.endswith(API_SUFFIX):
        return None
    return base.removesuffix(API_SUFFIX) + "/oauth/v2/authorize"


def oauth_settings(
    client_id: str,
    client_secret: str,
    api_url: str,
    installations: EncryptedInstallationStore,
    engine: AsyncEngine,
    welcome: Callable[[Person], Awaitable[None]] | None = None,
) -> AsyncOAuthSettings:
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],  # not SLACK_USER_SCOPES from the environment: the bot needs none
        install_path=INSTALL_ROUTE,
        redirect_uri_path=REDIRECT_ROUTE,
        authorization_url=authorization_url(api_url),
        installation_store=installations,
        state_store=OAuthStateStore(engine),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=welcome_installer(welcome) if welcome else None,
    )


def welcome_installer(welcome: Callable[[Person], Awaitable[None]]) -> AsyncCallbackOptions:
    """Bolt's own success and failure pages, and a direct message with the next steps to the
    person who installed the app (a failure to queue it never fails the install)."""

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.user_id and installation.team_id:
            person = Person(
                platform="slack", tenant_id=installation.team_id, user_id=installation.user_id
            )
            try:
                await welcome(person)
            except Exception as exc:
                log.warning("slack: could not welcome the installer (%s)", type(exc).__name__)
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    return AsyncCallbackOptions(success=success, failure=failure)
