"""Answers before follow-up work: what a listener does after `ack()` waits until every request
that reached this process before it has had its answer.

On one event loop, the work started by one request (opening a form, storing, looking people up)
runs between the answers of the others; in a burst, the last answers would wait behind the
first requests' follow-up work. Requests are numbered as they arrive; follow-up work waits for
the answers of those that arrived before it only (a later arrival never holds it back, so a
steady stream cannot starve it), and for WAIT_SECONDS at most.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

WAIT_SECONDS = 1.0


class AnswersFirst:
    def __init__(self) -> None:
        self._arrived = 0
        self._unanswered: set[int] = set()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Around the handling of one request, until its answer is ready."""
        self._arrived += 1
        ticket = self._arrived
        self._unanswered.add(ticket)
        try:
            yield
        finally:
            self._unanswered.discard(ticket)
            self._wake()

    def _answered_up_to(self, horizon: int) -> bool:
        return not any(ticket <= horizon for ticket in self._unanswered)

    def _wake(self) -> None:
        for horizon, waiter in self._waiters:
            if not waiter.done() and self._answered_up_to(horizon):
                waiter.set_result(None)

    async def after_answers(self) -> None:
        """Wait until every request that arrived before now has been answered."""
        horizon = self._arrived
        if self._answered_up_to(horizon):
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (horizon, waiter)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                await waiter
        except TimeoutError:
            pass  # a request stuck elsewhere: the work goes on
        finally:
            self._waiters.remove(entry)
