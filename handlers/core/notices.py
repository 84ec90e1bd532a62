"""Message shapes every domain uses: a one-line notice, the button that opens the intake form,
the organisation's crisis lines as a message shows them, and the answer to a low score."""

from __future__ import annotations

from config.crisis import CrisisResource
from handlers.core.i18n import t
from handlers.core.ports import Button, Message

ASK_AGAIN = "support.start"  # the button that opens the intake form (adapters answer it)
PAUSE_ASK = "pause.ask"  # value "pulse" or "checkin": offer 1, 2 or 4 weeks
PAUSE_SET = "pause.set"  # value "pulse:2" (weeks; 0 resumes now)


def notice(locale: str, key: str, kind: str = "notice", **params: object) -> Message:
    return Message(kind=kind, lines=[t(locale, key, **params)])


def platform_caveat(locale: str, platform: str) -> str:
    """Who besides the people in a chat can still read it on this platform: Slack workspace
    owners (exports, on some plans) or Microsoft 365 administrators (retention, eDiscovery)."""
    if platform == "teams":
        return t(locale, "caveat.teams")
    return t(locale, "caveat.slack")


def start_button(locale: str) -> Button:
    """The button that opens the intake form, wherever the bot offers it."""
    return Button(action=ASK_AGAIN, label=t(locale, "button.start"), value="", style="primary")


def pause_button(locale: str, what: str) -> Button:
    """Pause the weekly pulse or the check-ins for a while, from the message itself."""
    return Button(action=PAUSE_ASK, label=t(locale, "pause.button"), value=what)


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


def form_unavailable(locale: str, resources: list[CrisisResource]) -> Message:
    """When the platform would not open the intake form: the crisis lines first (we cannot
    know yet what the person needs), then a button that opens the form again."""
    return Message(
        kind="notice",
        lines=[t(locale, "form.unavailable")],
        crisis=crisis_lines(locale, resources),
        crisis_first=True,
        buttons=[start_button(locale)],
    )
