"""What awareness says: the introduction a person gets when they first meet the bot, the gentle
reminder every few weeks (with its "stop" button), the installer's next steps, and the line
that describes the peers as a group (how many, that they are trained; never who is on call)."""

from __future__ import annotations

from handlers.core.i18n import t
from handlers.core.notices import start_button
from handlers.core.ports import Button, Message

AWARENESS_STOP = "awareness.stop"


def peers_line(locale: str, peers: int) -> str | None:
    """The roster as a group; nothing while it is empty."""
    return t(locale, "awareness.peers", count=peers) if peers else None


def _how_to_ask(locale: str, platform: str) -> str:
    return t(locale, "awareness.how.teams" if platform == "teams" else "awareness.how.slack")


def introduction(locale: str, platform: str, peers: int) -> Message:
    lines = [t(locale, "awareness.what"), _how_to_ask(locale, platform)]
    lines += [line for line in (peers_line(locale, peers),) if line]
    lines.append(t(locale, "help.confidential"))
    return Message(
        kind="awareness.intro",
        title=t(locale, "awareness.intro.title"),
        lines=lines,
        buttons=[start_button(locale)],
    )


def reminder(locale: str, platform: str, peers: int) -> Message:
    message = introduction(locale, platform, peers)
    stop = Button(action=AWARENESS_STOP, label=t(locale, "awareness.button.stop"), value="off")
    return message.model_copy(
        update={
            "kind": "awareness.reminder",
            "title": t(locale, "awareness.reminder.title"),
            "buttons": [*message.buttons, stop],
            "footer": t(locale, "awareness.reminder.footer"),
        }
    )


def next_steps(locale: str, platform: str) -> Message:
    """For whoever installs the app (Slack's installer; on Teams, the first to add it where no
    programme is set up yet): what to do before staff can be helped."""
    return Message(
        kind="awareness.installed",
        title=t(locale, "awareness.installed.title"),
        lines=[
            t(locale, "awareness.installed.link", platform=platform),
            t(locale, "awareness.installed.crisis"),
            t(locale, "awareness.installed.roster"),
            t(locale, "awareness.installed.tell"),
        ],
    )
