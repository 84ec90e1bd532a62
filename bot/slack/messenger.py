"""The Slack side of the messenger port: direct messages from the bot, updated in place."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import blocks_of, fallback_text
from bot.slack.tokens import TokenSource
from handlers.core.people import remember_address
from handlers.core.ports import Address, Message, SendWindow
from models.db import Database

log = logging.getLogger(__name__)

# Where a person's DM channel id is kept in their stored address.
DM_CHANNEL = "slack_dm_channel"

# Slack's published limits per workspace: chat.postMessage "several hundred" a minute (300 is
# the conservative reading), conversations.open tier 3 (50 a minute). A bulk send takes 95% of
# each, so an offer or a crisis message sent during a pulse still finds room in the minute.
POSTS_PER_MINUTE = 300
OPENS_PER_MINUTE = 50
BULK_SHARE = 0.95


def _never_written_to(to: Address) -> bool:
    return not to.data.get(DM_CHANNEL)


BULK_WINDOW = SendWindow(
    per_window=int(POSTS_PER_MINUTE * BULK_SHARE),
    window=timedelta(minutes=1),
    first_contacts=int(OPENS_PER_MINUTE * BULK_SHARE),
    is_first_contact=_never_written_to,
)


class NotInstalled(Exception):
    """No bot token for the recipient's workspace (the app was uninstalled): the job fails."""


class SlackMessenger:
    def __init__(self, client: AsyncWebClient, tokens: TokenSource, database: Database) -> None:
        self.client = client
        self.tokens = tokens
        self.database = database
        # (team, user) -> the DM channel id. conversations.open is tier 3 (50 a minute) and a DM
        # id never changes, so it is asked once per person and kept with their address too: a
        # pulse to thousands after a restart opens nothing again.
        self._channels: dict[tuple[str, str], str] = {}

    async def _token(self, to: Address) -> str:
        token = await self.tokens(to.tenant_id)
        if token is None:
            raise NotInstalled(to.tenant_id)
        return token

    async def _channel(self, to: Address, token: str) -> str:
        key = (to.tenant_id, to.user_id)
        channel = self._channels.get(key) or to.data.get(DM_CHANNEL)
        if not channel:
            response = await self.client.conversations_open(users=to.user_id, token=token)
            channel = str(response["channel"]["id"])
            try:
                await remember_address(self.database, to, **{DM_CHANNEL: channel})
            except Exception as exc:  # the message matters more; it is opened again next time
                log.warning("slack: could not keep a DM channel id (%s)", type(exc).__name__)
        self._channels[key] = channel
        return channel

    async def send(self, to: Address, message: Message) -> dict[str, Any]:
        token = await self._token(to)
        response = await self.client.chat_postMessage(
            channel=await self._channel(to, token),
            text=fallback_text(message),
            blocks=blocks_of(message),
            token=token,
        )
        if message.attachment is not None:  # a calendar file, beside the message
            try:
                await self.client.files_upload_v2(
                    channel=str(response["channel"]),
                    content=message.attachment.content,
                    filename=message.attachment.filename,
                    title=message.attachment.filename,
                    token=token,
                )
            except Exception as exc:  # the message holds the details; never post it twice
                log.warning("slack: could not attach a file (%s)", type(exc).__name__)
        return {"channel": response["channel"], "ts": response["ts"]}

    async def update(self, to: Address, ref: dict[str, Any], message: Message) -> dict[str, Any]:
        await self.client.chat_update(
            channel=ref["channel"],
            ts=ref["ts"],
            text=fallback_text(message),
            blocks=blocks_of(message),
            token=await self._token(to),
        )
        return ref
