"""What the weekly pulse says: its questions with 1–5 buttons, and the one-click switch that
starts or stops it."""

from __future__ import annotations

from collections.abc import Sequence

from config.crisis import CrisisResource
from handlers.core import notices
from handlers.core.i18n import t
from handlers.core.ports import Button, Message

ANSWER = "pulse.answer"
PULSE_OPT = "pulse.opt"  # value "on" or "off": the weekly pulse in one click


def pulse_switch(locale: str, opted_in: bool) -> Button:
    """One click to stop (or start) getting the weekly wellbeing pulse."""
    return Button(
        action=PULSE_OPT,
        label=t(locale, "button.pulse_off" if opted_in else "button.pulse_on"),
        value="off" if opted_in else "on",
    )


def pulse_message(
    locale: str,
    round_id: int,
    questions: Sequence[int],
    threshold: int,
    lead: Sequence[str] = (),
    crisis: list[CrisisResource] | None = None,
) -> Message:
    """The pulse's questions with their 1–5 buttons. After a first answer the message is
    replaced by the question still open, `lead` saying thanks (and, after a low score, the
    `crisis` lines and the button that starts the support flow)."""
    lines: list[str] = list(lead)
    buttons: list[Button] = [notices.start_button(locale)] if crisis is not None else []
    for question in questions:
        row = len(lines)
        lines.append(t(locale, f"pulse.question.{question}"))
        buttons += [
            Button(
                action=ANSWER,
                label=str(score),
                value=f"{round_id}:{question}:{score}",
                answers_line=row,
            )
            for score in range(1, 6)
        ]
    buttons += [notices.pause_button(locale, "pulse"), pulse_switch(locale, opted_in=True)]
    return Message(
        kind="pulse",
        title=t(locale, "pulse.title"),
        lines=lines,
        crisis=notices.crisis_lines(locale, crisis) if crisis is not None else [],
        buttons=buttons,
        footer=t(locale, "pulse.private", threshold=threshold),
    )
