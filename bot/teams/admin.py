"""The coordinator's roster forms on Teams: a button of the admin card opens a form in its place,
and a sent form is checked and applied by the core (RosterDesk, the same role check and audit
trail as Slack's `/support admin` and the command line).

Anyone but a coordinator clicking a button (an old card, a forwarded one) gets the polite
refusal and nothing changes; a form that does not validate comes back with its errors and
changes nothing either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.teams import replies
from bot.teams.activities import PLATFORM
from bot.teams.admin_cards import FORMS, OPEN, SUBMIT, Card, answers_of, done_card, form_card
from bot.teams.cards import message_card
from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.roster.access import NotAllowed
from handlers.roster.desk import RosterDesk, refusal
from handlers.roster.forms import FormInvalid, local_moment

ENTRA_OBJECT_ID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


@dataclass
class TeamsAdmin:
    desk: RosterDesk

    async def answer(self, person: Person, locale: str, verb: str, data: Mapping[str, Any]) -> Card:
        """The card that replaces the clicked one: a form, what changed, or the refusal."""
        form = str(data.get("value" if verb == OPEN else "form") or "")
        if form not in FORMS or verb not in (OPEN, SUBMIT):  # an old or forged button
            return message_card(replies.unknown_action(locale))
        try:
            if verb == OPEN:
                return await self._form(person, locale, form)
            return await self._submit(person, locale, form, answers_of(form, data))
        except NotAllowed:
            return message_card(refusal(locale))

    async def _submit(
        self, person: Person, locale: str, form: str, answers: Mapping[str, str]
    ) -> Card:
        try:
            answer = await self._change(person, locale, form, answers)
        except FormInvalid as exc:
            return await self._form(person, locale, form, answers, exc.errors)
        return done_card(locale, answer)

    async def _form(
        self,
        person: Person,
        locale: str,
        form: str,
        answers: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> Card:
        roster = await self.desk.roster(person)  # the role check, as on Slack
        timed = form in ("add_override", "add_rotation")
        zone = await self.desk.time_zone(person) if timed else None
        return form_card(locale, form, roster, zone=zone, answers=answers, errors=errors)

    async def _change(
        self, actor: Person, locale: str, form: str, answers: Mapping[str, str]
    ) -> Message:
        if form == "add_peer":
            return await self._add_peer(actor, locale, answers)
        if form == "remove_peer":
            return await self.desk.remove_peer(actor, locale, answers.get("peer"))
        if form == "add_rotation":
            return await self.desk.add_rotation(
                actor,
                locale,
                name=answers.get("name"),
                tier=answers.get("rotation_tier"),
                peers=[peer for peer in answers.get("peers", "").split(",") if peer],
                starts_on=answers.get("starts_on"),
                handoff=answers.get("handoff"),
                hours=answers.get("hours"),
            )
        zone = await self.desk.time_zone(actor)
        return await self.desk.add_override(
            actor,
            locale,
            peer=answers.get("peer"),
            starts_at=local_moment(
                answers.get("starts_at_date"), answers.get("starts_at_time"), zone
            ),
            ends_at=local_moment(answers.get("ends_at_date"), answers.get("ends_at_time"), zone),
        )

    async def _add_peer(self, actor: Person, locale: str, answers: Mapping[str, str]) -> Message:
        """The person picked (their Entra object id, from the picker or typed), in the
        coordinator's tenant; the core names them as it knows them."""
        picked, typed = answers.get("user", ""), answers.get("user_id", "")
        errors: dict[str, str] = {}
        if not picked and typed and not ENTRA_OBJECT_ID.fullmatch(typed):
            errors["user"] = t(locale, "teams.admin.error.user_id")
            typed = ""
        user_id = picked or typed
        who = Person(platform=PLATFORM, tenant_id=actor.tenant_id, user_id=user_id)
        try:
            return await self.desk.add_peer(
                actor,
                locale,
                who if user_id else None,
                tier=answers.get("tier"),
                unit=answers.get("unit"),
                languages=[lang for lang in answers.get("languages", "").split(",") if lang],
                cap=answers.get("cap"),
                trained_until=answers.get("trained_until"),
            )
        except FormInvalid as exc:  # a malformed typed id: its own message, not "choose"
            raise FormInvalid({**exc.errors, **errors}) from None
