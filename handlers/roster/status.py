"""A peer's own state: on the roster, available or not, on call when, and their open cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

AVAILABILITY = "peer.availability"  # the button of a peer's "unavailable" switch: "on" or "off"


@dataclass(frozen=True)
class PeerStatus:
    tier: str
    available: bool
    open_cases: list[str]  # the references of the cases they accepted and have not closed
    on_call_now: bool
    on_call_from: datetime | None  # their current or next stretch on call (two weeks ahead)
    on_call_until: datetime | None  # None if it goes on beyond those two weeks
    time_zone: str
