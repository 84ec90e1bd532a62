"""Slack payloads in, use cases called, answers rendered: the Bolt listeners.

Every listener acknowledges first (Slack gives 3 seconds and shows the person an error after) and
does the slow part after. The modal submission's acknowledgement carries its answer (field errors,
or the view to show), so it is built from validation and one read, and the request is stored
after it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.admin import SlackAdmin
from bot.slack.blocks import action_of, blocks_of, fallback_text, holds_crisis_lines, home_view
from bot.slack.inflight import Inflight
from bot.slack.modal import INTAKE_CALLBACK, answers_of, errors_for_blocks, intake_view, result_view
from bot.slack.people import SlackPeople, ids_of, team_of
from bot.slack.replies import help_message, start_prompt
from bot.slack.replying import ephemeral, post, post_direct, post_in, replace_ephemeral
from bot.slack.reports import SlackReports
from bot.slack.views import open_view
from handlers.chat import home
from handlers.chat.actions import Actions
from handlers.chat.commands import Command, Commands, command_of
from handlers.core import notices
from handlers.core.i18n import pick_locale
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.reports.overview import Overview
from handlers.roster.status import PeerStatuses
from handlers.support import messages
from handlers.support.asking import Requests
from handlers.support.disclosure import Disclosures
from handlers.support.intake import IntakeInvalid, parse_intake

log = logging.getLogger(__name__)

SLASH_COMMAND = "/support"
# Every button the core renders: `offer.accept#0`, `support.start#1`, ...
BUTTON = re.compile(r"^[a-z_]+(\.[a-z_]+)*(#\d+)?$")


@dataclass
class SlackListeners:
    core: Core
    requests: Requests
    statuses: PeerStatuses
    actions: Actions
    commands: Commands
    disclosures: Disclosures
    people: SlackPeople = field(default_factory=SlackPeople)
    inflight: Inflight = field(default_factory=Inflight)
    overview: Overview = field(init=False)
    admin: SlackAdmin = field(init=False)
    reports: SlackReports = field(init=False)

    def __post_init__(self) -> None:
        self.overview = Overview(self.core)
        self.admin = SlackAdmin(
            self.commands.desk, self.people, self.actions.reach_in, self._publish_home
        )
        self.reports = SlackReports(self.commands.reports)

    def register(self, app: AsyncApp) -> None:
        track = self.inflight.track
        app.command(SLASH_COMMAND)(track(self.on_command))
        app.action(BUTTON)(track(self.on_button))
        app.view_submission(INTAKE_CALLBACK)(track(self.on_submission))
        app.event("message")(track(self.on_message))
        app.event("app_home_opened")(track(self.on_home_opened))
        app.event("team_join")(track(self.on_team_join))
        app.event("user_change")(track(self.on_user_change))
        self.admin.register(app, track)

    # --- who and which language -------------------------------------------------------------

    async def _locale(self, person: Person) -> str:
        try:
            return await self.core.locale_for(person)
        except Exception:  # the database is down: Slack's locale will do
            return pick_locale(person.locale, self.core.defaults.locale)

    async def _open_form(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        locale: str,
        person: Person,
        prefill: dict[str, str] | None = None,
    ) -> None:
        """Open the intake form (filled in with `prefill`), retrying within the trigger's
        three-second life; if Slack will not open it, the person gets a DM instead."""
        if await open_view(client, trigger_id, intake_view(locale, prefill)) is None:
            await self._form_unavailable(client, person, locale, trigger_id)

    async def _form_unavailable(
        self, client: AsyncWebClient, person: Person, locale: str, trigger_id: str
    ) -> None:
        """The form could not be opened: a DM with the crisis lines and a button that opens it
        again (a new click brings a new trigger). Never a silent failure: if the DM fails too,
        the worker sends it (the trigger names it, so it is queued once)."""
        card = await self.core.known.card(person.platform, person.tenant_id)
        try:
            await post_direct(
                client, person.user_id, notices.form_unavailable(locale, list(card.crisis))
            )
        except Exception as exc:  # Slack is failing: the worker sends it, retried until it goes
            log.warning("slack: the form-unavailable DM failed (%s); queued", type(exc).__name__)
            await self.requests.form_unavailable(person, locale, trigger_id)

    async def _form_first(self, client: AsyncWebClient, body: dict[str, Any]) -> None:
        """`/support`: the form opens before anyone is looked up (its trigger lasts 3 seconds),
        in the language known now (this process's last lookup, the stored one, else the
        organisation's); the lookup comes after, and if it says the person's Slack speaks
        another language, the form is shown again in theirs (or, if it could not be opened,
        the DM that says so is in theirs)."""
        guessed = await self._locale(self.people.known(ids_of(body)))
        opened = await open_view(client, body["trigger_id"], intake_view(guessed))
        person = await self.people.of_payload(client, body)
        locale = await self._locale(person)
        if opened is None:
            await self._form_unavailable(client, person, locale, body["trigger_id"])
            return
        view = opened.get("view")
        view_id = view.get("id") if isinstance(view, dict) else None
        if locale != guessed and view_id:
            await client.views_update(view_id=view_id, view=intake_view(locale))

    async def _help(self, person: Person, locale: str) -> Message:
        card = await self.core.known.card(person.platform, person.tenant_id)
        return help_message(locale, card.timeout_now_minutes)

    # --- listeners ----------------------------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """`/support` opens the form, `/support admin` the roster and `/support report` the
        programme report (coordinators); `/support help`, `pulse on|off`, `forget me` answer."""
        await ack()
        text = (body.get("text") or "").strip()
        command = command_of(text) if text else Command.SUPPORT
        if command is Command.SUPPORT:
            await self._form_first(client, body)
            return
        person = await self.people.of_payload(client, body)
        locale = await self._locale(person)
        if command is None and await self.disclosures.suggests_risk(person, text):
            # "/support I can't go on": answered at once, in the DM where help continues
            answer = await self.disclosures.written(person, text, body.get("trigger_id"))
            await post_direct(client, person.user_id, answer)
            return
        if command is None:
            await self._open_form(client, body["trigger_id"], locale, person)
            return
        if command is Command.ADMIN:
            await self.admin.open(client, body["trigger_id"], person, locale, ephemeral(respond))
            return
        if command is Command.REPORT:
            await self.reports.deliver(client, person, locale, ephemeral(respond))
            return
        answer = await self._help(person, locale) if command is Command.HELP else None
        answer = answer or await self.commands.run(person, command)
        assert answer is not None
        await ephemeral(respond)(answer)

    async def on_button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """A click: the answer replaces the clicked message (or the App Home) in place, except
        on a message that shows crisis lines, which stays as it is: the answer comes below it.
        A message only the clicker sees (an answer to `/support ...`) has no timestamp that
        chat.update knows: it is replaced through the click's response_url."""
        await ack()
        person = await self.people.of_payload(client, body)
        name = action_of(action.get("action_id") or "")
        if name == notices.ASK_AGAIN:
            await self._open_form(client, body["trigger_id"], await self._locale(person), person)
            return
        answer = await self.actions.dispatch(person, name, str(action.get("value") or ""))
        if answer is None:  # another way of asking for the form
            await self._open_form(client, body["trigger_id"], await self._locale(person), person)
            return
        if answer.prefill is not None:  # the form, filled in; the answer replaces the message
            locale = await self._locale(person)
            await self._open_form(client, body["trigger_id"], locale, person, answer.prefill)
        container = body.get("container") or {}
        if container.get("type") == "view":  # the App Home: show it again, switched
            await self._publish_home(client, person)
            return
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        clicked = body.get("message") or {}
        if holds_crisis_lines(clicked.get("blocks")):
            await post(client, channel, answer)
            return
        if container.get("is_ephemeral"):
            await replace_ephemeral(respond)(answer)
            return
        ts = container.get("message_ts") or clicked.get("ts")
        await client.chat_update(
            channel=channel, ts=ts, text=fallback_text(answer), blocks=blocks_of(answer)
        )

    async def on_submission(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Field errors go back into the modal; a valid form is answered at once (received, and
        the crisis lines) and stored after, its confirmation following by DM."""
        sender = ids_of(body)  # who they are is looked up after the answer
        locale = pick_locale(view.get("private_metadata"), self.core.defaults.locale)
        card = await self.core.known.card(sender.platform, sender.tenant_id)
        try:
            form = parse_intake(answers_of(view), locale, card.risk_phrases)
        except IntakeInvalid as exc:
            await ack(response_action="errors", errors=errors_for_blocks(exc.errors))
            return
        receipt = await self.requests.receipt(sender, form, locale)
        await ack(response_action="update", view=result_view(locale, receipt))
        try:
            person = await self.people.of_payload(client, body)
        except Exception as exc:  # told "received": store it, without a name if need be
            log.warning("slack: could not look the requester up (%s)", type(exc).__name__)
            person = sender
        # The view id names this submission: a replay of it stores nothing twice.
        answer = await self.requests.submit(person, form, key=view.get("id") or None)
        if answer.kind == messages.INTAKE_FAILED:  # not stored yet: no outbox, so say it here
            await post_direct(client, person.user_id, answer)

    async def on_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A direct message to the bot: a command word, else a message to relay."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        text = (event.get("text") or "").strip()
        if not text:
            return
        person = await self.people.person(client, str(team_of(body)), str(event.get("user")))
        locale = await self._locale(person)
        command = command_of(text)
        if command is Command.SUPPORT:
            answer = start_prompt(locale)
        elif command is Command.HELP:
            answer = await self._help(person, locale)
        elif command is Command.REPORT:
            await self.reports.deliver(client, person, locale, post_in(client, event["channel"]))
            return
        elif command is not None:
            answer = await self.commands.run(person, command) or await self._help(person, locale)
        else:  # relayed in an anonymous case; words that suggest risk raise the alarm
            key = f"{event.get('channel')}:{event.get('ts')}"
            answer = await self.disclosures.written(person, text, key)
        await post(client, event["channel"], answer)

    async def on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        person = await self.people.person(client, str(team_of(body)), str(event.get("user")))
        await self._publish_home(client, person)

    async def on_team_join(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A new member of the workspace: introduced, if the organisation turned it on."""
        await ack()
        user = event.get("user") or {}
        user_id = user.get("id") if isinstance(user, dict) else None
        team = team_of(body)
        if not user_id or not team or (isinstance(user, dict) and user.get("is_bot")):
            return
        await self.actions.awareness.introduce(await self.people.person(client, team, user_id))

    async def on_user_change(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]
    ) -> None:
        """A member changed their profile or their Slack language (Slack sends the locale in
        this event): known people get everything from now on in the new language, offers and
        check-ins included, without waiting for them to act or for the cache to expire."""
        await ack()
        user = event.get("user")
        team = team_of(body)
        if not isinstance(user, dict) or not user.get("id") or not team or user.get("is_bot"):
            return
        await self._locale(self.people.learn(team, user))  # stores it on a known identity

    async def _publish_home(self, client: AsyncWebClient, person: Person) -> None:
        """How to ask for support; for a peer, their switch and open cases; for a coordinator,
        the roster and the programme at a glance."""
        locale = await self._locale(person)
        status = await self.statuses.peer_status(person)
        pulse = await self.commands.pulses.opted_in(person)
        peers = await self.actions.awareness.peers_line(person, locale)
        own = home.home(locale, status, pulse, peers)
        coordinator = await self.overview.messages(person, locale)
        await client.views_publish(user_id=person.user_id, view=home_view([own, *coordinator]))
