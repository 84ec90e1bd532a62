"""Microsoft Teams adapter (Bot Framework SDK, `botbuilder-python`).

The SDK was archived by Microsoft at the end of 2025; everything that imports it lives in this
package, so moving to its successor (the Microsoft 365 Agents SDK) touches this folder alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.teams.activities import PLATFORM
from bot.teams.adapter import adapter_config, build_adapter
from bot.teams.bot import TeamsBot
from bot.teams.endpoint import MessagesEndpoint
from bot.teams.messenger import BULK_WINDOW, TeamsMessenger
from bot.teams.platform import TeamsPlatform
from bot.teams.retry import RetryPolicy
from bot.teams.tokens import LocalCheck, TokenGate, issuers

if TYPE_CHECKING:
    from bot.runtime import Runtime


def install(runtime: Runtime) -> TeamsPlatform:
    """Register the Teams messenger (workers need only that) and return the web platform."""
    config = adapter_config(runtime.settings)
    adapter = build_adapter(config)
    retry = RetryPolicy()
    runtime.messengers.register(
        PLATFORM, TeamsMessenger(adapter, config.APP_ID, runtime.database, retry), BULK_WINDOW
    )
    bot = TeamsBot(
        runtime.core,
        runtime.requests,
        runtime.actions,
        runtime.commands,
        runtime.disclosures,
        retry,
    )
    tokens = None
    if config.APP_ID:
        tokens = TokenGate(LocalCheck(config.APP_ID, issuers(config.APP_TENANTID)))
    return TeamsPlatform(MessagesEndpoint(adapter, bot, tokens))


__all__ = ["TeamsPlatform", "install"]
