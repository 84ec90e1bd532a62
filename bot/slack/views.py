"""Opening a modal within the life of its trigger.

A `trigger_id` lives three seconds. slack_sdk's own retry handlers sleep out a 429's Retry-After,
which can outlast the trigger; so each attempt here is bounded by what is left of the trigger's
life, and a failed attempt is tried again while time remains.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

log = logging.getLogger(__name__)

TRIGGER_LIFE_SECONDS = 2.7  # Slack's is 3 s from the click; keep a margin for the network
RETRY_PAUSE_SECONDS = 0.2
# Errors no retry can mend: the trigger is spent or the view is refused.
FINAL_ERRORS = frozenset({"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"})


def _without_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The same client minus slack_sdk's retry handlers, whose backoff ignores the trigger."""
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        session=client.session,
        headers=client.headers,
        retry_handlers=[],
    )


async def open_view(
    client: AsyncWebClient, trigger_id: str, view: dict[str, Any]
) -> AsyncSlackResponse | None:
    """Slack's answer once the modal is open; None as soon as it is clear Slack will not open
    it while the trigger lives (refused, or a Retry-After longer than the time left)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TRIGGER_LIFE_SECONDS
    once = _without_retries(client)
    attempt = 0
    while (left := deadline - loop.time()) > 0:
        attempt += 1
        pause = RETRY_PAUSE_SECONDS
        try:
            async with asyncio.timeout(left):
                return await once.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error") or status)
            if status == 429:
                pause = float(exc.response.headers.get("Retry-After") or 1)
            elif error in FINAL_ERRORS or status < 500:
                log.warning("slack: views.open refused (%s)", error)
                return None
            log.info("slack: views.open attempt %s failed (%s)", attempt, error)
        except Exception as exc:  # slow, dropped, or aiohttp's client errors: try again
            log.info("slack: views.open attempt %s failed (%s)", attempt, type(exc).__name__)
        if pause >= deadline - loop.time():
            break
        await asyncio.sleep(pause)
    log.warning("slack: the form could not be opened within the trigger's life")
    return None
