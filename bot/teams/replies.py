"""The Teams-only messages of the personal chat: help, welcome, form received."""

from __future__ import annotations

from handlers.chat import home
from handlers.core.i18n import t
from handlers.core.notices import start_button
from handlers.core.ports import Message
from handlers.pulse.messages import pulse_switch


def help_message(locale: str, pulse_opted_in: bool, minutes: int) -> Message:
    """The service, its limits, and the two things to do in one click: ask for support, and
    start (or stop) the weekly pulse (Teams has no home tab to hold that switch). `minutes`:
    the organisation's first-contact timeout for urgent requests."""
    message = home.help_message(locale, t(locale, "teams.help.commands"), minutes, "teams")
    return message.model_copy(
        update={"buttons": [*message.buttons, pulse_switch(locale, pulse_opted_in)]}
    )


def welcome(locale: str) -> Message:
    return Message(
        kind="welcome",
        title=t(locale, "teams.welcome.title"),
        lines=[t(locale, "start.prompt"), t(locale, "help.confidential")],
        buttons=[start_button(locale), pulse_switch(locale, opted_in=False)],
        footer=t(locale, "teams.help.commands"),
    )


def answered_below(locale: str) -> str:
    """The short text Teams shows for a click answered with a new message (the clicked card,
    which shows crisis lines, stays as it was)."""
    return t(locale, "teams.answered_below")


def unknown_action(locale: str) -> Message:
    return Message(kind="notice", lines=[t(locale, "teams.action.unknown")])
