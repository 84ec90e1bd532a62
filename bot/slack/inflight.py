"""Work a listener goes on doing after Slack has its acknowledgement, counted so a shutdown (and
a test) can wait for it instead of cutting a chat.update in half, and started only once the
requests that came before it have their answers (`bot/slack/answers_first.py`).

A listener's exception is logged here and goes no further: Bolt, given an exception raised in the
moments after `ack()`, forgets the acknowledgement and answers Slack 404, which makes Slack show
the person an error (or retry an event) for work that was in fact acknowledged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from bot.slack.answers_first import AnswersFirst

log = logging.getLogger(__name__)
P = ParamSpec("P")
Acknowledge = Callable[..., Awaitable[Any]]
SETTLE_SECONDS = 0.02  # Bolt starts event listeners on the next loop turn, after its answer
DRAIN_SECONDS = 10.0


class Inflight:
    def __init__(self) -> None:
        self.answers = AnswersFirst()
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def track(self, listener: Callable[P, Awaitable[Any]]) -> Callable[P, Awaitable[Any]]:
        @functools.wraps(listener)
        async def tracked(*args: P.args, **kwargs: P.kwargs) -> Any:
            self._running += 1
            self._idle.clear()
            try:
                if "ack" in kwargs:  # what it does after acknowledging waits for the answers
                    kwargs["ack"] = self._then_answers_first(kwargs["ack"])
                else:  # Bolt has acknowledged already (events)
                    await self.answers.after_answers()
                return await listener(*args, **kwargs)
            except Exception as exc:
                # The type only: messages and tracebacks can quote what people wrote.
                log.error("slack: %s failed (%s)", listener.__name__, type(exc).__name__)
                log.debug("slack: %s failed", listener.__name__, exc_info=True)
                return None
            finally:
                self._running -= 1
                if not self._running:
                    self._idle.set()

        return tracked

    def _then_answers_first(
        self, ack: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def acknowledge(*args: Any, **kwargs: Any) -> Any:
            answered = await ack(*args, **kwargs)
            await self.answers.after_answers()
            return answered

        return acknowledge

    async def drained(self) -> None:
        """Wait until no listener is running (and none has just been started)."""
        async with asyncio.timeout(DRAIN_SECONDS):
            while True:
                await asyncio.sleep(SETTLE_SECONDS)
                await self._idle.wait()
                await asyncio.sleep(SETTLE_SECONDS)
                if self._idle.is_set():
                    return
