"""`/support admin` on Slack: the coordinator's roster modal, its buttons and its forms.

The role check is the core's (RosterDesk, through RosterAdmin): anyone else gets a polite
ephemeral refusal and no modal. Form answers are checked by the core; what is wrong comes back
beside the field (`response_action: errors`) and nothing changes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.admin_modal import (
    FORM_BUTTON,
    FORM_CALLBACK,
    MAX_OPTIONS,
    PEER_PICKERS,
    answers_of,
    done_view,
    form_view,
    menu_view,
    peer_option,
)
from bot.slack.people import SlackPeople
from bot.slack.replying import Reply
from handlers.core.i18n import pick_locale
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.reach_in.desk import ReachIn
from handlers.reach_in.form import RECORD_EVENT, read_event
from handlers.reach_in.group import GROUP_SESSION
from handlers.roster.access import NotAllowed
from handlers.roster.answers import ADD_PEER
from handlers.roster.desk import RosterDesk, refusal
from handlers.roster.forms import FormInvalid

PEER_PICKER = re.compile(rf"^({'|'.join(PEER_PICKERS)})$")
Track = Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]


# After a change: show the person's Home again (it shows the schedule too).
Refresh = Callable[[AsyncWebClient, Person], Awaitable[None]]


async def _nothing_to_refresh(client: AsyncWebClient, person: Person) -> None:
    return None


@dataclass
class SlackAdmin:
    desk: RosterDesk
    people: SlackPeople
    reach_in: ReachIn
    refresh_home: Refresh = _nothing_to_refresh

    def register(self, app: AsyncApp, track: Track) -> None:
        app.action(FORM_BUTTON)(track(self.on_button))
        app.view_submission(FORM_CALLBACK)(track(self.on_submission))
        app.options(PEER_PICKER)(track(self.on_peer_search))

    async def on_peer_search(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient):
        """The people on the roster whose name holds what the coordinator typed in a picker
        (a `block_suggestion`); anyone else gets no one."""
        person = await self.people.of_payload(client, body)
        locale = pick_locale((body.get("view") or {}).get("private_metadata"), person.locale)
        try:
            found = await self.desk.find(person, str(body.get("value") or ""), MAX_OPTIONS)
        except NotAllowed:
            found = []
        await ack(options=[peer_option(locale, entry) for entry in found])

    async def open(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        person: Person,
        locale: str,
        refuse: Reply,
    ) -> None:
        """The menu for a coordinator; a refusal, seen by the asker alone, for anyone else."""
        try:
            schedule = await self.desk.schedule(person, locale)
        except NotAllowed:
            await refuse(refusal(locale))
            return
        await client.views_open(trigger_id=trigger_id, view=menu_view(locale, schedule))

    async def on_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A menu button: its form, pushed over the menu (Back returns to it)."""
        await ack()
        person = await self.people.of_payload(client, body)
        locale = pick_locale((body.get("view") or {}).get("private_metadata"), person.locale)
        form = str(action.get("action_id", "")).removeprefix("admin:")
        try:
            roster = await self.desk.roster(person)
            group = (
                await self.reach_in.groups.choices(person, locale)
                if form == GROUP_SESSION
                else None
            )
        except NotAllowed:
            view = done_view(locale, refusal(locale))
        else:
            view = form_view(locale, form, roster, group)
        await client.views_push(trigger_id=body["trigger_id"], view=view)

    async def on_submission(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        person = await self.people.of_payload(client, body)
        locale = pick_locale(view.get("private_metadata"), person.locale)
        form = str(view.get("callback_id", "")).removeprefix("admin.")
        if form == RECORD_EVENT:
            await self._record_event(ack, client, person, locale, view)
            return
        try:
            answer = await self._change(client, person, locale, form, answers_of(view))
        except FormInvalid as exc:
            await ack(response_action="errors", errors=exc.errors)
            return
        except NotAllowed:
            await ack(response_action="update", view=done_view(locale, refusal(locale)))
            return
        await ack(response_action="update", view=done_view(locale, answer))
        await self._show_changed(client, person, locale, view.get("previous_view_id"))

    async def _show_changed(
        self, client: AsyncWebClient, person: Person, locale: str, menu_id: str | None
    ) -> None:
        """Every screen that shows the schedule shows it as it is now: the menu under the
        form (what Back returns to) and the coordinator's Home."""
        if menu_id:
            schedule = await self.desk.schedule(person, locale)
            await client.views_update(view_id=menu_id, view=menu_view(locale, schedule))
        await self.refresh_home(client, person)

    async def _change(
        self,
        client: AsyncWebClient,
        actor: Person,
        locale: str,
        form: str,
        answers: dict[str, Any],
    ) -> Message:
        """The form applied by the core, with the Slack user picked (looked up for their name
        and language) when it adds a peer."""
        if form == GROUP_SESSION:
            return await self.reach_in.groups.arrange(actor, locale, answers)
        user = answers.get("user") if form == ADD_PEER else None
        who = await self.people.person(client, actor.tenant_id, str(user)) if user else None
        return await self.desk.apply(actor, locale, form, answers, who)

    async def _record_event(
        self,
        ack: AsyncAck,
        client: AsyncWebClient,
        actor: Person,
        locale: str,
        view: dict[str, Any],
    ) -> None:
        """Checked and acknowledged at once (Slack waits 3 seconds); each colleague picked is
        looked up for their language after, and the event stored with their offers."""
        answers = answers_of(view)
        try:
            organisation_id = await self.desk.organisation_of(actor)  # the role check first
            picked = answers.get("people") or []
            user_ids = [str(user) for user in (picked if isinstance(picked, list) else [picked])]
            bare = [
                Person(platform=actor.platform, tenant_id=actor.tenant_id, user_id=user)
                for user in user_ids
            ]
            event = read_event(locale, answers, bare, await self.reach_in.today(organisation_id))
        except FormInvalid as exc:
            await ack(response_action="errors", errors=exc.errors)
            return
        except NotAllowed:
            await ack(response_action="update", view=done_view(locale, refusal(locale)))
            return
        await ack(
            response_action="update",
            view=done_view(
                locale, await self.reach_in.confirmation(organisation_id, locale, event)
            ),
        )
        people = await asyncio.gather(
            *(self.people.person(client, actor.tenant_id, who.user_id) for who in event.people)
        )
        await self.reach_in.record(
            actor, organisation_id, locale, replace(event, people=tuple(people))
        )
