"""The Slack-only messages: help, the start prompt, not installed."""

from __future__ import annotations

from config.crisis import default_resources
from handlers.chat import home
from handlers.core.i18n import t
from handlers.core.notices import crisis_lines, start_button
from handlers.core.ports import Message


def help_message(locale: str, minutes: int) -> Message:
    """`minutes`: the organisation's first-contact timeout for urgent requests."""
    return home.help_message(locale, t(locale, "slack.help.commands"), minutes, "slack")


def start_prompt(locale: str) -> Message:
    return Message(kind="start", lines=[t(locale, "start.prompt")], buttons=[start_button(locale)])


def not_installed(locale: str, country: str) -> str:
    """What someone in a workspace without an installation (multi-workspace) is told: plain
    text, as Bolt sends it, with the default crisis lines, since they may be asking for help."""
    return "\n".join(
        [t(locale, "slack.not_installed"), *crisis_lines(locale, default_resources(country))]
    )
