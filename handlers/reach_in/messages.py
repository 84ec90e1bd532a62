"""What reach-in says: the warm, private offer to a colleague (and its one reminder), the
answers to its three buttons, and what the coordinator is told (totals only)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from handlers.core import notices
from handlers.core.i18n import t
from handlers.core.ports import Button, Message

TALK = "reach_in.talk"
LATER = "reach_in.later"
DECLINE = "reach_in.decline"
ANSWERS = (TALK, LATER, DECLINE)


def _day(locale: str, day: date) -> str:
    return format_date(day, "d MMMM", locale=locale)


def invitation(
    locale: str, invite_id: int, occurred_on: date, *, reminder: bool = False
) -> Message:
    """The private offer: a colleague thought of them, support is there, no need to answer.
    The reminder (sent once, after "Maybe later") offers only to talk or to say no thanks."""
    buttons = [
        Button(
            action=TALK,
            label=t(locale, "reach_in.button.talk"),
            value=str(invite_id),
            style="primary",
        ),
    ]
    if not reminder:
        buttons.append(
            Button(action=LATER, label=t(locale, "reach_in.button.later"), value=str(invite_id))
        )
    buttons.append(
        Button(action=DECLINE, label=t(locale, "reach_in.button.decline"), value=str(invite_id))
    )
    return Message(
        kind="reach_in.invite",
        title=t(locale, "reach_in.reminder.title" if reminder else "reach_in.invite.title"),
        lines=[
            t(locale, "reach_in.invite.thought", day=_day(locale, occurred_on)),
            t(locale, "reach_in.invite.free"),
            t(locale, "reach_in.invite.private"),
        ],
        buttons=buttons,
        footer=t(locale, "reach_in.invite.footer"),
    )


def talk_answer(locale: str) -> Message:
    return notices.notice(locale, "reach_in.answer.talk", kind="reach_in.answer")


def later_answer(locale: str, invite_id: int, days: int) -> Message:
    """Kept with the one button that still matters: they may want to talk before the reminder."""
    return Message(
        kind="reach_in.answer",
        lines=[t(locale, "reach_in.answer.later", days=days)],
        buttons=[
            Button(
                action=TALK,
                label=t(locale, "reach_in.button.talk"),
                value=str(invite_id),
                style="primary",
            )
        ],
    )


def declined_answer(locale: str) -> Message:
    return Message(
        kind="reach_in.answer",
        lines=[t(locale, "reach_in.answer.declined")],
        buttons=[notices.start_button(locale)],
    )


def already_answered(locale: str) -> Message:
    return notices.notice(locale, "reach_in.answer.already", kind="reach_in.answer")


def recorded(locale: str, reached: int, day: date, group: bool = False) -> Message:
    """The coordinator's confirmation: how many will be reached, that only totals return and,
    for an event touching many people or several units (`group`), the group session."""
    lines = [
        t(locale, "reach_in.recorded", count=reached, day=_day(locale, day)),
        t(locale, "reach_in.recorded.totals"),
    ]
    if group:
        lines.append(t(locale, "reach_in.recorded.group"))
    return Message(
        kind="reach_in.recorded", title=t(locale, "reach_in.recorded.title"), lines=lines
    )
