"""The Teams `Messenger`: proactive cards through the stored conversation reference.

A person's address is the serialized `ConversationReference` stored when they installed the app
or wrote to the bot. Sending continues that conversation and posts a new activity; the returned
ref (activity and conversation id) lets `update` replace the card in place.

A person with no reference (put on the roster, never wrote to the bot) is first reached with
`create_conversation`: a personal chat opened with their Entra object id in their tenant, through
the service URL the tenant's other references carry (Teams' global one if there is none yet).
Its reference is stored, so later messages continue it and never open another.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.teams.activities import PERSONAL
from bot.teams.cards import card_activity, message_card
from bot.teams.directory import store_reference, tenant_reference
from bot.teams.retry import RetryPolicy
from handlers.core.ports import Address, Message, SendWindow
from models.db import Database

CHANNEL_ID = "msteams"
# Teams allows about 7 messages a second per conversation and a few dozen a second per app and
# tenant: a bulk send takes 15 a second.
BULK_WINDOW = SendWindow(per_window=15, window=timedelta(seconds=1))
# Teams' global Bot Connector endpoint for proactive messages (public cloud).
GLOBAL_SERVICE_URL = "https://smba.trafficmanager.net/teams/"


class TeamsMessenger:
    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        database: Database,
        retry: RetryPolicy | None = None,
    ):
        self.adapter = adapter
        self.app_id = app_id
        self.database = database
        self.retry = retry or RetryPolicy()

    async def send(self, to: Address, message: Message) -> dict[str, Any]:
        reference = await self._reference(to)
        activity = card_activity(message_card(message))
        sent: dict[str, Any] = {}

        async def post(context: TurnContext) -> None:
            TurnContext.apply_conversation_reference(activity, reference)
            [response] = await context.adapter.send_activities(context, [activity])
            sent["activity_id"] = response.id

        await self.retry.run(lambda: self._continue(reference, post))
        return {"activity_id": sent["activity_id"], "conversation_id": reference.conversation.id}

    async def update(self, to: Address, ref: dict[str, Any], message: Message) -> dict[str, Any]:
        reference = await self._reference(to)
        activity = card_activity(message_card(message))

        async def put(context: TurnContext) -> None:
            TurnContext.apply_conversation_reference(activity, reference)
            activity.id = ref["activity_id"]
            await context.adapter.update_activity(context, activity)

        await self.retry.run(lambda: self._continue(reference, put))
        return ref

    async def _continue(self, reference: ConversationReference, logic: Any) -> None:
        await self.adapter.continue_conversation(reference, logic, self.app_id)

    async def _reference(self, to: Address) -> ConversationReference:
        reference = ConversationReference.deserialize(to.data)
        if not reference.service_url or reference.conversation is None:
            reference = await self.retry.run(lambda: self._open(to))
            await store_reference(self.database, to, reference.serialize())
        reference.activity_id = None  # post new messages, never threaded replies
        return reference

    async def _open(self, to: Address) -> ConversationReference:
        """Open a personal chat with the person; Teams answers with the existing one if any."""
        template = await tenant_reference(self.database, to.tenant_id) or {}
        service_url = template.get("serviceUrl") or GLOBAL_SERVICE_URL
        bot = ChannelAccount.deserialize(template["bot"]) if template.get("bot") else None
        bot = bot or ChannelAccount(id=f"28:{self.app_id}")
        user = ChannelAccount(id=to.user_id)
        parameters = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[user],
            tenant_id=to.tenant_id,
            channel_data={"tenant": {"id": to.tenant_id}},
        )
        opened: dict[str, str] = {}

        async def created(context: TurnContext) -> None:
            opened["id"] = context.activity.conversation.id

        await self.adapter.create_conversation(
            self.app_id, created, parameters, CHANNEL_ID, service_url
        )
        return ConversationReference(
            bot=bot,
            user=user,
            conversation=ConversationAccount(
                id=opened["id"], conversation_type=PERSONAL, tenant_id=to.tenant_id
            ),
            channel_id=CHANNEL_ID,
            service_url=service_url,
        )
