"""The sandbox's clock: real time plus an offset that only moves forward.

The bot reads the time through `runtime.core.clock` and `runtime.engine.clock` (the same
seams the tests use); the sandbox hands both this clock, so moving it forward makes escalations,
check-ins and pulse rounds come due without waiting days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models import utcnow


class SandboxClock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta():
            raise ValueError("the sandbox clock only moves forward")
        self.offset += delta

    def advance_to(self, moment: datetime) -> None:
        """Move forward to `moment` (no-op if it has passed)."""
        ahead = moment - self()
        if ahead > timedelta():
            self.offset += ahead

    def reset(self) -> None:
        self.offset = timedelta()
