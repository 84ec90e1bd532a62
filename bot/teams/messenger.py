"""The Teams `Messenger`: proactive cards through the stored conversation reference.

A person's address is the serialized `ConversationReference` stored when they installed the app
or wrote to the bot. Sending continues that conversation and posts a new activity; the returned
ref (activity and conversation id) lets `update` replace the card in place.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.teams.cards import card_activity, message_card
from bot.teams.retry import RetryPolicy
from handlers.ports import Address, Message


class NoConversation(Exception):
    """The person never installed the app or wrote to the bot: there is nothing to continue."""


class TeamsMessenger:
    def __init__(self, adapter: CloudAdapter, app_id: str, retry: RetryPolicy | None = None):
        self.adapter = adapter
        self.app_id = app_id
        self.retry = retry or RetryPolicy()

    async def send(self, to: Address, message: Message) -> dict[str, Any]:
        reference = self._reference(to)
        activity = card_activity(message_card(message))
        sent: dict[str, Any] = {}

        async def post(context: TurnContext) -> None:
            TurnContext.apply_conversation_reference(activity, reference)
            [response] = await context.adapter.send_activities(context, [activity])
            sent["activity_id"] = response.id

        await self.retry.run(lambda: self._continue(reference, post))
        return {"activity_id": sent["activity_id"], "conversation_id": reference.conversation.id}

    async def update(self, to: Address, ref: dict[str, Any], message: Message) -> dict[str, Any]:
        reference = self._reference(to)
        activity = card_activity(message_card(message))

        async def put(context: TurnContext) -> None:
            TurnContext.apply_conversation_reference(activity, reference)
            activity.id = ref["activity_id"]
            await context.adapter.update_activity(context, activity)

        await self.retry.run(lambda: self._continue(reference, put))
        return ref

    async def _continue(self, reference: ConversationReference, logic: Any) -> None:
        await self.adapter.continue_conversation(reference, logic, self.app_id)

    @staticmethod
    def _reference(to: Address) -> ConversationReference:
        reference = ConversationReference.deserialize(to.data)
        if not reference.service_url or reference.conversation is None:
            raise NoConversation()
        reference.activity_id = None  # post new messages, never threaded replies
        return reference
