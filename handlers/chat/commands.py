"""Words people type to the bot ("support", "ayuda", "pulse off", "forget me"), in any language
we speak, and the use cases behind the ones that need no form."""

from __future__ import annotations

import enum
from functools import cache

from handlers.core.i18n import SUPPORTED_LOCALES, t
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.privacy.forget_me import ForgetMe
from handlers.pulse.rounds import Pulses
from handlers.reports.desk import ReportDesk, report_refusal
from handlers.roster.access import NotAllowed
from handlers.roster.desk import RosterDesk, refusal
from handlers.roster.status import PeerStatuses


class Command(enum.StrEnum):
    SUPPORT = "support"
    HELP = "help"
    PULSE_ON = "pulse_on"
    PULSE_OFF = "pulse_off"
    FORGET = "forget"
    ADMIN = "admin"
    REPORT = "report"
    AVAILABLE = "available"  # a peer's own switch, typed
    UNAVAILABLE = "unavailable"


@cache
def _words(command: Command) -> frozenset[str]:
    return frozenset(
        word.strip().lower()
        for locale in SUPPORTED_LOCALES
        for word in t(locale, f"words.{command.value}").split(",")
        if word.strip()
    )


def command_of(text: str) -> Command | None:
    """The command `text` is one of the words of, ignoring case, slashes and punctuation."""
    words = " ".join(text.lower().strip(" /¡¿!?.").split())
    return next((command for command in Command if words in _words(command)), None)


class Commands:
    """The commands answered without a form: pulse opt-in and opt-out, erasure (asked first),
    and (typed as
    a message) the coordinator's two-week on-call schedule and programme report summary."""

    def __init__(self, core: Core, pulses: Pulses, forget_me: ForgetMe, desk: RosterDesk) -> None:
        self.core = core
        self.pulses = pulses
        self.forget_me = forget_me
        self.desk = desk
        self.reports = ReportDesk(core)
        self.statuses = PeerStatuses(core)

    async def run(self, person: Person, command: Command) -> Message | None:
        """The reply, or None for SUPPORT and HELP (the adapter shows its form or help)."""
        if command in (Command.PULSE_ON, Command.PULSE_OFF):
            return await self.pulses.set_opt_in(person, command is Command.PULSE_ON)
        if command in (Command.AVAILABLE, Command.UNAVAILABLE):
            return await self.statuses.set_available(person, command is Command.AVAILABLE)
        if command is Command.FORGET:
            return await self.forget_me.ask(person)  # erases only once confirmed
        if command is Command.ADMIN:
            locale = await self.core.locale_for(person)
            try:
                return await self.desk.schedule(person, locale)
            except NotAllowed:
                return refusal(locale)
        if command is Command.REPORT:  # the summary alone; an adapter may add the chart
            locale = await self.core.locale_for(person)
            try:
                return (await self.reports.weekly(person, locale)).summary
            except NotAllowed:
                return report_refusal(locale)
        return None
