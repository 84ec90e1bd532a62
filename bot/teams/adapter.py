"""The Bot Framework CloudAdapter, configured from the settings.

With MICROSOFT_APP_ID set, every request must carry a valid Bot Framework token. Without it the
SDK turns authentication off; that is allowed only with TEAMS_ENABLED in development and tests
(a fake Bot Connector on loopback, or the Bot Framework Emulator).
"""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from config.settings import ConfigError, Settings

UNAUTHENTICATED_ENVIRONMENTS = ("development", "test")


@dataclass(frozen=True)
class AdapterConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def adapter_config(settings: Settings) -> AdapterConfig:
    if settings.microsoft_app_id:
        return AdapterConfig(
            APP_ID=settings.microsoft_app_id,
            APP_PASSWORD=settings.microsoft_app_password or "",
            APP_TYPE=settings.microsoft_app_type,
            APP_TENANTID=settings.microsoft_app_tenant_id or "",
        )
    if settings.teams_enabled and settings.environment in UNAUTHENTICATED_ENVIRONMENTS:
        # MultiTenant is the only app type the SDK accepts without an app id: auth off.
        return AdapterConfig(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    raise ConfigError(
        "MICROSOFT_APP_ID: Teams needs the bot's app id, password and tenant id; "
        "TEAMS_ENABLED without them is for development and tests only"
    )


def build_adapter(config: AdapterConfig) -> CloudAdapter:
    # No on_turn_error: errors must reach the caller (the endpoint answers 500, a proactive send
    # raises so its delivery job is retried) instead of being swallowed by a handler.
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
