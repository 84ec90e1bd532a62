"""Pause, not only stop: the weekly pulse and the check-ins can be paused for 1, 2 or 4 weeks
from the message itself; nothing of that kind is sent until then, and "Resume now" ends it."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from babel.units import format_unit

from handlers.core import notices
from handlers.core.i18n import t
from handlers.core.people import Person, identity_for, locale_of, organisation_for
from handlers.core.ports import Button, Message
from handlers.core.unit import Core

PAUSABLE = ("pulse", "checkin")
WEEKS = (1, 2, 4)


class Pauses:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def _locale(self, person: Person) -> str:
        return await self.core.locale_for(person)

    async def offer(self, person: Person, what: str) -> Message | None:
        """The three lengths to choose from (None: not something that pauses)."""
        if what not in PAUSABLE:
            return None
        locale = await self._locale(person)
        return Message(
            kind="pause.offer",
            lines=[t(locale, f"pause.offer.{what}")],
            buttons=[
                Button(
                    action=notices.PAUSE_SET,
                    label=format_unit(weeks, "duration-week", length="long", locale=locale),
                    value=f"{what}:{weeks}",
                )
                for weeks in WEEKS
            ],
        )

    async def set(self, person: Person, value: str) -> Message | None:
        what, _, weeks = value.partition(":")
        if what not in PAUSABLE or not weeks.isdigit() or int(weeks) not in (0, *WEEKS):
            return None
        now = self.core.clock()
        until = now + timedelta(weeks=int(weeks)) if int(weeks) else None
        async with self.core.changing() as session:
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.core.defaults
            )
            identity = await identity_for(session, organisation, person)
            if what == "pulse":
                identity.pulse_paused_until = until
            else:
                identity.check_ins_paused_until = until
            locale = locale_of(identity, organisation)
        if until is None:
            return notices.notice(locale, f"pause.resumed.{what}")
        day = format_date(until.date(), "d MMMM", locale=locale)
        return Message(
            kind="pause.set",
            lines=[t(locale, f"pause.until.{what}", day=day)],
            buttons=[
                Button(action=notices.PAUSE_SET, label=t(locale, "pause.resume"), value=f"{what}:0")
            ],
        )
