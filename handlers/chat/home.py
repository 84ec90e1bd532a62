"""A person's home view (Slack's App Home) and the help text: how to ask for support, their
weekly pulse switch and, for a peer, their availability switch and open cases."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.core.dates import duration
from handlers.core.i18n import t
from handlers.core.notices import platform_caveat, start_button
from handlers.core.ports import Button, Message
from handlers.pulse.messages import pulse_switch
from handlers.roster.return_time import back_line, return_buttons
from handlers.roster.status import AVAILABILITY, PeerStatus


def home(
    locale: str, status: PeerStatus | None, pulse_opted_in: bool, peers: str | None = None
) -> Message:
    """A person's home view: how to ask for support, who the peers are as a group (`peers`,
    never who is on call), their weekly pulse switch and, for a peer, their availability
    switch and open cases."""
    lines = [t(locale, "start.prompt"), *([peers] if peers else [])]
    buttons = [start_button(locale)]
    if status is not None:
        tier = t(locale, f"tier.{status.tier}")
        state = "home.peer.available" if status.available else "home.peer.unavailable"
        lines += [t(locale, state, tier=tier), _time_on_call(locale, status)]
        if not status.available:  # away: when they will be back, or a choice of when
            if status.back_at is not None:
                lines.append(back_line(locale, status.back_at, status.time_zone))
            else:
                lines.append(t(locale, "return.ask"))
                buttons += return_buttons(locale)
        lines.append(
            t(locale, "home.peer.cases", references=", ".join(status.open_cases))
            if status.open_cases
            else t(locale, "home.peer.no_cases")
        )
        buttons.append(
            Button(
                action=AVAILABILITY,
                label=t(
                    locale, "button.set_unavailable" if status.available else "button.set_available"
                ),
                value="off" if status.available else "on",
            )
        )
    lines.append(t(locale, "home.pulse.on" if pulse_opted_in else "home.pulse.off"))
    buttons.append(pulse_switch(locale, pulse_opted_in))
    return Message(
        kind="home",
        title=t(locale, "home.title"),
        lines=lines + [t(locale, "help.confidential")],
        buttons=buttons,
    )


def _time_on_call(locale: str, status: PeerStatus) -> str:
    """On call now (until when), their next time on call, or none in the coming two weeks."""
    if status.on_call_from is None:
        return t(locale, "home.peer.no_shift")
    zone = ZoneInfo(status.time_zone)

    def when(moment: datetime) -> str:
        return format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=zone, locale=locale)

    until = status.on_call_until
    if status.on_call_now and not status.available:  # on the rota, but requests skip them
        if until is None:
            return t(locale, "home.peer.on_rota_now_unavailable_open")
        return t(locale, "home.peer.on_rota_now_unavailable", until=when(until))
    if status.on_call_now:
        if until is None:
            return t(locale, "home.peer.on_call_now_open")
        return t(locale, "home.peer.on_call_now", until=when(until))
    if until is None:
        return t(locale, "home.peer.next_shift_open", start=when(status.on_call_from))
    return t(locale, "home.peer.next_shift", start=when(status.on_call_from), end=when(until))


def help_message(locale: str, commands: str, minutes: int, platform: str) -> Message:
    """What the service is, its confidentiality and its limits; `commands` is the adapter's
    own line saying what can be typed there, `minutes` the organisation's first-contact
    timeout for urgent requests (what the acknowledgement promises too)."""
    return Message(
        kind="help",
        title=t(locale, "help.title"),
        lines=[
            t(locale, "help.what", within=duration(locale, minutes)),
            t(locale, "help.confidential"),
            t(locale, "help.limits"),
            platform_caveat(locale, platform),
        ],
        buttons=[start_button(locale)],
        footer=commands,
    )
