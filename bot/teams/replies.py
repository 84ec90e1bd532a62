"""The Teams-only messages of the personal chat: help, welcome, form received."""

from __future__ import annotations

from handlers import notices
from handlers.i18n import t
from handlers.notices import start_button
from handlers.ports import Message


def help_message(locale: str, pulse_opted_in: bool) -> Message:
    """The service, its limits, and the two things to do in one click: ask for support, and
    start (or stop) the weekly pulse (Teams has no home tab to hold that switch)."""
    message = notices.help_message(locale, t(locale, "teams.help.commands"))
    return message.model_copy(
        update={"buttons": [*message.buttons, notices.pulse_switch(locale, pulse_opted_in)]}
    )


def welcome(locale: str) -> Message:
    return Message(
        kind="welcome",
        title=t(locale, "teams.welcome.title"),
        lines=[t(locale, "start.prompt"), t(locale, "help.confidential")],
        buttons=[start_button(locale), notices.pulse_switch(locale, opted_in=False)],
        footer=t(locale, "teams.help.commands"),
    )


def received(locale: str) -> Message:
    """Replaces the sent form; the acknowledgement itself follows as its own message."""
    return Message(
        kind="intake.received",
        title=t(locale, "teams.intake.received.title"),
        lines=[t(locale, "teams.intake.received")],
    )


def unknown_action(locale: str) -> Message:
    return Message(kind="notice", lines=[t(locale, "teams.action.unknown")])
