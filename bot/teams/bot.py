"""The bot's turn logic: personal-chat messages, installs and card actions, mapped to use cases.

Every button is an `Action.Execute`, so every click arrives as an `adaptiveCard/action` invoke
and its answer is a card that replaces the clicked one in place (Accept and Decline, the intake
form, Withdraw and Close alike).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue

from bot.processed import first_time
from bot.teams import replies
from bot.teams.activities import PLATFORM, person_of
from bot.teams.admin import TeamsAdmin
from bot.teams.admin_cards import MENU, VERBS, menu
from bot.teams.cards import (
    CARD_CONTENT_TYPE,
    KEEP_CARD,
    card_activity,
    message_card,
    sections_card,
)
from bot.teams.directory import remember
from bot.teams.intake_card import FORM_ID, SUBMIT, answers_of, intake_card
from bot.teams.reports import TeamsReports
from bot.teams.retry import RetryPolicy
from handlers.chat.actions import Actions
from handlers.chat.commands import Command, Commands, command_of
from handlers.core.i18n import pick_locale
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.reports.overview import Overview
from handlers.roster.reachability import Reachability
from handlers.support.asking import Requests
from handlers.support.disclosure import Disclosures
from handlers.support.intake import IntakeInvalid, parse_intake

log = logging.getLogger(__name__)

Card = dict[str, Any]
# The invoke answer that leaves the clicked card as it is (its answer came as a new message).
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"


class TextInvokeResponse(AdaptiveCardInvokeResponse):
    """An invoke answer whose value is a short text, which Teams shows while the clicked card
    stays as it was (botbuilder types `value` as an object, for the card answer)."""

    _attribute_map = {
        **AdaptiveCardInvokeResponse._attribute_map,
        "value": {"key": "value", "type": "str"},
    }


SEARCH_INVOKE = "application/search"  # a Data.Query typeahead asking for its choices
SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"


class TeamsBot(ActivityHandler):
    def __init__(
        self,
        core: Core,
        requests: Requests,
        actions: Actions,
        commands: Commands,
        disclosures: Disclosures,
        retry: RetryPolicy,
    ) -> None:
        self.core = core
        self.requests = requests
        self.actions = actions
        self.commands = commands
        self.disclosures = disclosures
        self.overview = Overview(core)
        self.admin = TeamsAdmin(commands.desk, actions.reach_in)
        self.reports = TeamsReports(commands.reports)
        self.retry = retry  # replies are outgoing calls too: same rate limits as proactive ones

    async def _reply(self, turn_context: TurnContext, card: Card) -> None:
        activity = card_activity(card)
        await self.retry.run(lambda: turn_context.send_activity(activity))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """An install in personal scope: remember how to reach the person, and say hello. The
        bot removed from the chat: the person removed the app."""
        activity = turn_context.activity
        person = person_of(activity)
        bot_id = activity.recipient.id if activity.recipient else None
        if person is None:
            return
        if any(member.id == bot_id for member in activity.members_removed or []):
            await Reachability(self.core).removed(person)
            return
        if not activity.members_added:
            return
        await remember(self.core, person)
        if any(member.id == bot_id for member in activity.members_added):
            locale = await self._locale(person)
            peers = await self.actions.awareness.peers_line(person, locale)
            setup = await self.actions.awareness.first_contact(person, locale)
            await self._reply(turn_context, message_card(replies.welcome(locale, peers)))
            for steps in setup:  # the first to add it where no programme is set up yet
                await self._reply(turn_context, message_card(steps))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        person = person_of(activity)
        text = (activity.text or "").strip()
        if person is None or not text:
            return
        if not await self._first_delivery(activity):
            return  # the channel sent it again: it was answered (and relayed) once already
        await remember(self.core, person)
        locale = await self._locale(person)
        command = command_of(text)
        if command is Command.SUPPORT:
            await self._show_form(turn_context, person, locale)
            return
        if command is Command.HELP:
            card = message_card(await self._help(person, locale))
        elif command is Command.ADMIN:
            card = await self._admin(person, locale)
        elif command is Command.REPORT:  # the summary, then the chart: two messages
            for activity in await self.reports.activities(person, locale):
                await self.retry.run(lambda activity=activity: turn_context.send_activity(activity))
            return
        elif command is not None:
            answer = await self.commands.run(person, command)
            assert answer is not None
            card = message_card(answer)
        else:  # relayed in an anonymous case; words that suggest risk raise the alarm
            answer = await self.disclosures.written(person, text, activity.id)
            card = message_card(answer)
        await self._reply(turn_context, card)

    async def _show_form(self, turn_context: TurnContext, person: Person, locale: str) -> None:
        """The intake form as a reply (retried on 429 and 5xx). If Teams still will not take
        it, the person is not left without an answer: the crisis lines and a button that shows
        the form again follow as a message the worker delivers, retried until it goes."""
        try:
            await self._reply(turn_context, intake_card(locale))
        except Exception as exc:  # the connector's errors, or the network's
            log.warning("teams: the form could not be shown (%s)", type(exc).__name__)
            await self.requests.form_unavailable(person, locale, turn_context.activity.id or "")

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        """The person removed the app: nothing can reach them until they add it again, so
        routing passes them by and, for a peer, the coordinators are told."""
        person = person_of(turn_context.activity)
        if person is not None:
            await Reachability(self.core).removed(person)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The app added (again): reachable, with the reference this activity carries."""
        person = person_of(turn_context.activity)
        if person is not None:
            await remember(self.core, person)

    async def _help(self, person: Person, locale: str) -> Message:
        opted_in = await self.commands.pulses.opted_in(person)
        card = await self.core.known.card(person.platform, person.tenant_id)
        return replies.help_message(locale, opted_in, card.timeout_now_minutes)

    async def _admin(self, person: Person, locale: str) -> Card:
        """A coordinator's programme at a glance, the next two weeks' schedule, and the buttons
        to change the roster, as one card (one reply keeps the turn short); anyone else gets
        the refusal alone, as the overview is empty for all but an active coordinator."""
        answer = await self.commands.run(person, Command.ADMIN)
        assert answer is not None
        overview = await self.overview.messages(person, locale)
        if not overview:
            return message_card(answer)
        return sections_card([*overview, answer, menu(locale)])

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """A picker's search (`application/search`, from a card's Data.Query) answered here;
        every other invoke (the cards' clicks) as the SDK routes it."""
        activity = turn_context.activity
        if activity.name != SEARCH_INVOKE:
            return await super().on_invoke_activity(turn_context)
        if not isinstance(activity.value, dict):
            return InvokeResponse(status=400, body={"error": "the search has no value"})
        person = person_of(activity)
        results: list[dict[str, Any]] = []
        if person is not None:
            locale = await self._locale(person)
            results = await self.admin.search(person, locale, activity.value)
        body = {"type": SEARCH_RESPONSE, "value": {"results": results}}
        return InvokeResponse(status=200, body=body)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        person = person_of(turn_context.activity)
        action = invoke_value.action or {}
        data = action.get("data")
        data = data if isinstance(data, dict) else {}
        if person is None:
            card = message_card(replies.unknown_action(pick_locale(turn_context.activity.locale)))
        else:
            await remember(self.core, person)
            card = await self._answer(person, str(action.get("verb") or ""), data)
        if data.get(KEEP_CARD) is True:  # the clicked card shows crisis lines: it stays
            await self._reply(turn_context, card)
            text = replies.answered_below(pick_locale(turn_context.activity.locale))
            return TextInvokeResponse(status_code=200, type=MESSAGE_CONTENT_TYPE, value=text)
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)

    async def _answer(self, person: Person, verb: str, data: dict[str, Any]) -> Card:
        if verb == SUBMIT:
            return await self._submit(person, data)
        if verb in VERBS:
            locale = await self._locale(person)
            if verb == MENU:
                return await self._admin(person, locale)
            return await self.admin.answer(person, locale, verb, data)
        message = await self.actions.dispatch(person, verb, str(data.get("value") or ""))
        if message is None:  # support.start
            return intake_card(await self._locale(person))
        if message.prefill is not None:  # the form, filled in, in the clicked card's place
            return intake_card(await self._locale(person), message.prefill)
        return message_card(message)

    async def _submit(self, person: Person, data: dict[str, Any]) -> Card:
        """Validate, store, and answer; if storing fails the person still gets crisis resources.

        The form is replaced by the receipt (the crisis lines, first for a risk answer); the
        acknowledgement itself (what happens next, updated as it changes, and Withdraw) is
        queued by the service with the request and arrives as its own message.
        """
        locale = await self._locale(person)
        answers = answers_of(data)
        form_id = str(data.get(FORM_ID) or "") or None
        card = await self.core.known.card(person.platform, person.tenant_id)
        try:
            form = parse_intake(answers, locale, card.risk_phrases)
        except IntakeInvalid as exc:
            return intake_card(locale, answers, exc.errors, form_id)
        receipt = await self.requests.receipt(person, form, locale)
        answer = await self.requests.submit(person, form, key=form_id)
        if answer.kind != "intake.ack":  # not stored (yet): the crisis resources, now
            return message_card(answer)
        return message_card(receipt)

    async def _first_delivery(self, activity: Activity) -> bool:
        """Activity ids are unique within a conversation; the pair is hashed to fit the key."""
        if not activity.id or activity.conversation is None:
            return True
        pair = f"{activity.conversation.id}\x1f{activity.id}".encode()
        try:
            return await first_time(self.core.database, PLATFORM, hashlib.sha256(pair).hexdigest())
        except Exception as exc:  # the database is down: answering matters more than dedupe
            log.warning("teams: could not record activity (%s)", type(exc).__name__)
            return True

    async def _locale(self, person: Person) -> str:
        try:
            return await self.core.locale_for(person)
        except Exception:  # the database is down: the platform's locale will do
            return pick_locale(person.locale, self.core.defaults.locale)
