"""Where an answer goes on Slack: seen by the asker alone, posted in a channel, or in the bot's
DM with someone. Every listener answers through these, so a Message is rendered one way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import blocks_of, fallback_text
from handlers.core.ports import Message

Reply = Callable[[Message], Awaitable[None]]


def ephemeral(respond: AsyncRespond) -> Reply:
    """Answers only the asker sees, through the slash command's response_url."""

    async def reply(message: Message) -> None:
        await respond(
            text=fallback_text(message), blocks=blocks_of(message), response_type="ephemeral"
        )

    return reply


def replace_ephemeral(respond: AsyncRespond) -> Reply:
    """Replaces the ephemeral message a button was clicked on, through the click's response_url."""

    async def reply(message: Message) -> None:
        await respond(
            text=fallback_text(message),
            blocks=blocks_of(message),
            response_type="ephemeral",
            replace_original=True,
        )

    return reply


async def post(client: AsyncWebClient, channel: str, message: Message) -> None:
    await client.chat_postMessage(
        channel=channel, text=fallback_text(message), blocks=blocks_of(message)
    )


def post_in(client: AsyncWebClient, channel: str) -> Reply:
    async def reply(message: Message) -> None:
        await post(client, channel, message)

    return reply


async def post_direct(client: AsyncWebClient, user_id: str, message: Message) -> str:
    """Post `message` in the bot's DM with `user_id` using the request's own client (its token
    needs no database); returns the DM channel's id."""
    opened = await client.conversations_open(users=user_id)
    channel: str = opened["channel"]["id"]
    await post(client, channel, message)
    return channel
