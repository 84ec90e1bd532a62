"""Message shapes every domain uses: a one-line notice, the button that opens the intake form,
the organisation's crisis lines as a message shows them, and the answer to a low score."""

from __future__ import annotations

from config.crisis import CrisisResource
from handlers.core.i18n import t
from handlers.core.ports import Button, Message

ASK_AGAIN = "support.start"  # the button that opens the intake form (adapters answer it)


def notice(locale: str, key: str, kind: str = "notice", **params: object) -> Message:
    return Message(kind=kind, lines=[t(locale, key, **params)])


def start_button(locale: str) -> Button:
    """The button that opens the intake form, wherever the bot offers it."""
    return Button(action=ASK_AGAIN, label=t(locale, "button.start"), value="", style="primary")


EXPORT_CAVEATS = {"slack": "export.slack", "teams": "export.teams"}


def export_caveat(locale: str, platform: str) -> str:
    """Who besides the bot can read these chats, in the platform's own terms: Slack workspace
    administrators export direct messages; Microsoft 365 administrators keep and export Teams
    chats (retention, eDiscovery). Another platform gets Slack's wording, the closest."""
    return t(locale, EXPORT_CAVEATS.get(platform, EXPORT_CAVEATS["slack"]))


def crisis_lines(locale: str, resources: list[CrisisResource]) -> list[str]:
    """The organisation's crisis lines as a message shows them: a heading, then one per line."""
    return [t(locale, "crisis.heading")] + [
        t(locale, "crisis.entry", name=item.name, contact=item.contact) for item in resources
    ]


def offer_support(locale: str, key: str, resources: list[CrisisResource]) -> Message:
    """A reply to a low score: the text, the crisis lines, and the button that starts the
    support flow."""
    return Message(
        kind="notice",
        lines=[t(locale, key)],
        crisis=crisis_lines(locale, resources),
        buttons=[Button(action=ASK_AGAIN, label=t(locale, "button.start"), value="")],
    )
