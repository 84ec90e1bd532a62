"""Who clicked or typed: a Slack user as the core's `Person`, with their name and language.

Slack's payloads carry only ids, so the name and locale come from users.info (tier 4), cached a
while per user so a busy rota does not spend the rate limit on it. A lookup gets LOOKUP_SECONDS:
when Slack is slow or rate-limits it, the person is answered without their name and language
(the organisation's are used) rather than late, as a form must open within 3 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.core.people import Person

log = logging.getLogger(__name__)

PLATFORM = "slack"
CACHE_SECONDS = 3600
LOOKUP_SECONDS = 1.0


def team_of(body: dict[str, Any]) -> str | None:
    """The workspace a payload comes from (slash commands, interactions and events differ)."""
    team = body.get("team")
    user = body.get("user")
    return (
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
        or (user.get("team_id") if isinstance(user, dict) else None)
    )


def user_of(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    return body.get("user_id") or (user.get("id") if isinstance(user, dict) else None)


def ids_of(body: dict[str, Any]) -> Person:
    """Who sent a payload, from its ids alone (no lookup: for answers that cannot wait)."""
    team, user = team_of(body), user_of(body)
    if not team or not user:
        raise ValueError("a Slack payload without its team or user")
    return Person(platform=PLATFORM, tenant_id=team, user_id=user)


class SlackPeople:
    def __init__(self) -> None:
        # (team, user) -> (keep until, name, locale, time zone)
        self._cache: dict[tuple[str, str], tuple[float, str | None, str | None, str | None]] = {}

    def known(self, sender: Person) -> Person:
        """`sender` with what this process already knows of them (no call to Slack)."""
        cached = self._cache.get((sender.tenant_id, sender.user_id))
        if cached is None or cached[0] < time.monotonic():
            return sender
        _, name, locale, zone = cached
        return Person(
            platform=PLATFORM,
            tenant_id=sender.tenant_id,
            user_id=sender.user_id,
            display_name=name,
            locale=locale,
            time_zone=zone,
        )

    async def of_payload(self, client: AsyncWebClient, body: dict[str, Any]) -> Person:
        """Who sent a command, a click or a form."""
        sender = ids_of(body)
        return await self.person(client, sender.tenant_id, sender.user_id)

    async def person(self, client: AsyncWebClient, team_id: str, user_id: str) -> Person:
        """`client` carries the workspace's token (Bolt gives each request its own)."""
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is None or cached[0] < time.monotonic():
            name, locale, zone = await self._lookup(client, user_id)
            cached = (time.monotonic() + CACHE_SECONDS, name, locale, zone)
            if name is not None or locale is not None:
                self._cache[key] = cached
        _, name, locale, zone = cached
        return Person(
            platform=PLATFORM,
            tenant_id=team_id,
            user_id=user_id,
            display_name=name,
            locale=locale,
            time_zone=zone,
        )

    async def _lookup(
        self, client: AsyncWebClient, user_id: str
    ) -> tuple[str | None, str | None, str | None]:
        """(name, locale, IANA time zone) from users.info; Nones when Slack does not answer."""
        try:
            async with asyncio.timeout(LOOKUP_SECONDS):
                response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:  # the answer to the person matters more than their name
            log.warning("slack: users.info failed (%s)", exc.response.status_code)
            return None, None, None
        except TimeoutError:
            log.warning("slack: users.info took longer than %s s", LOOKUP_SECONDS)
            return None, None, None
        return _read(response.get("user") or {})

    def learn(self, team_id: str, user: dict[str, Any]) -> Person:
        """`user` as Slack's user_change event gives it (a person changed their name or their
        Slack language): cached at once, so what the bot says next is in the new language."""
        name, locale, zone = _read(user)
        self._cache[(team_id, str(user["id"]))] = (
            time.monotonic() + CACHE_SECONDS,
            name,
            locale,
            zone,
        )
        return Person(
            platform=PLATFORM,
            tenant_id=team_id,
            user_id=str(user["id"]),
            display_name=name,
            locale=locale,
            time_zone=zone,
        )


def _read(user: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(name, locale, IANA time zone) of a Slack user object; what is not text is left out."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")

    def text(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    return text(name), text(user.get("locale")), text(user.get("tz"))
