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
from bot.teams.admin_cards import (
    FORMS,
    OPEN,
    ROSTER_DATASET,
    SUBMIT,
    Card,
    answers_of,
    done_card,
    form_card,
    peer_title,
)
from bot.teams.cards import message_card
from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.reach_in.desk import ReachIn
from handlers.reach_in.form import RECORD_EVENT, read_event
from handlers.reach_in.group import GROUP_SESSION
from handlers.roster.access import NotAllowed
from handlers.roster.answers import ADD_PEER
from handlers.roster.desk import RosterDesk, refusal
from handlers.roster.forms import FormInvalid, local_moment

MAX_RESULTS = 15  # the most Teams shows in a typeahead's list
ENTRA_OBJECT_ID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


@dataclass
class TeamsAdmin:
    desk: RosterDesk
    reach_in: ReachIn

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

    async def search(self, person: Person, locale: str, query: Mapping[str, Any]) -> list[Card]:
        """The people on the roster whose name holds what the coordinator typed in a picker
        (an `application/search` invoke's value), at most what Teams asked for; anyone else,
        or another dataset, gets no one."""
        if query.get("dataset") != ROSTER_DATASET:
            return []
        options = query.get("queryOptions")
        options = options if isinstance(options, Mapping) else {}
        top, skip = options.get("top"), options.get("skip")
        top = top if isinstance(top, int) and 0 < top <= MAX_RESULTS else MAX_RESULTS
        skip = skip if isinstance(skip, int) and skip >= 0 else 0
        try:
            found = await self.desk.find(person, str(query.get("queryText") or ""), skip + top)
        except NotAllowed:
            return []
        return [
            {"title": peer_title(locale, entry), "value": str(entry.peer_id)}
            for entry in found[skip:]
        ]

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
        timed = form in ("add_override", "add_rotation", GROUP_SESSION)
        zone = await self.desk.time_zone(person) if timed else None
        group = (
            await self.reach_in.groups.choices(person, locale) if form == GROUP_SESSION else None
        )
        return form_card(
            locale, form, roster, zone=zone, answers=answers, errors=errors, group=group
        )

    async def _change(
        self, actor: Person, locale: str, form: str, answers: Mapping[str, str]
    ) -> Message:
        """The form applied by the core, with the person picked (their Entra object id, from
        the people picker or typed) when it adds a peer; the core names them as it knows them.
        An event recorded reaches the colleagues picked by their Entra object ids."""
        if form == RECORD_EVENT:
            return await self._record_event(actor, locale, answers)
        if form == GROUP_SESSION:  # a date and a time in the organisation's time zone
            zone = await self.desk.time_zone(actor)
            starts_at = local_moment(
                answers.get("starts_at_date"), answers.get("starts_at_time"), zone
            )
            return await self.reach_in.groups.arrange(
                actor, locale, {**answers, "starts_at": starts_at or ""}
            )
        if form != ADD_PEER:
            return await self.desk.apply(actor, locale, form, answers)
        picked, typed = answers.get("user", ""), answers.get("user_id", "")
        errors: dict[str, str] = {}
        if not picked and typed and not ENTRA_OBJECT_ID.fullmatch(typed):
            errors["user"] = t(locale, "teams.admin.error.user_id")
            typed = ""
        user_id = picked or typed
        who = Person(platform=PLATFORM, tenant_id=actor.tenant_id, user_id=user_id)
        try:
            return await self.desk.apply(actor, locale, form, answers, who if user_id else None)
        except FormInvalid as exc:  # a malformed typed id: its own message, not "choose"
            raise FormInvalid({**exc.errors, **errors}) from None

    async def _record_event(
        self, actor: Person, locale: str, answers: Mapping[str, str]
    ) -> Message:
        organisation_id = await self.desk.organisation_of(actor)  # the role check first
        people = [
            Person(platform=PLATFORM, tenant_id=actor.tenant_id, user_id=user_id.strip())
            for user_id in answers.get("people", "").split(",")
            if user_id.strip()
        ]
        today = await self.reach_in.today(organisation_id)
        event = read_event(locale, answers, people, today)
        return await self.reach_in.record(actor, organisation_id, locale, event)
