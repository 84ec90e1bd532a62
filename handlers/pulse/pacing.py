"""When each message of a bulk send goes, so that no workspace gets more than its platform's
window allows: the first window's allowance at once, then the next window's, and so on.

Each message takes the earliest window with room for it: room for one more message and, for
someone never written to, room for one more first contact (on Slack the lower tier 3 limit of
`conversations.open`). People already reachable fill the rest of each window, so a first
round with a mix of both takes no longer than its first contacts need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from handlers.core.ports import Address, SendWindow

T = TypeVar("T")


class WindowSchedule:
    """The send times of one workspace's messages, handed out in order."""

    def __init__(self, window: SendWindow, start: datetime) -> None:
        self.window = window
        self.start = start
        self._messages: Counter[int] = Counter()  # window number -> messages placed in it
        self._first_contacts: Counter[int] = Counter()
        self._first_free = 0  # no window before this has room for a message
        self._first_free_contact = 0  # ... nor for a first contact

    def _has_room(self, number: int, first_contact: bool) -> bool:
        if self._messages[number] >= self.window.per_window:
            return False
        limit = self.window.first_contacts
        return not (first_contact and limit is not None and self._first_contacts[number] >= limit)

    def next_send(self, first_contact: bool) -> datetime:
        """The time of the next message (to someone never written to, if `first_contact`)."""
        first_contact = first_contact and self.window.first_contacts is not None
        number = self._first_free_contact if first_contact else self._first_free
        number = max(number, self._first_free)
        while not self._has_room(number, first_contact):
            number += 1
        self._messages[number] += 1
        if first_contact:
            self._first_contacts[number] += 1
        while not self._has_room(self._first_free, False):
            self._first_free += 1
        while not self._has_room(self._first_free_contact, True):
            self._first_free_contact += 1
        return self.start + number * self.window.window


def paced(
    recipients: Iterable[T],
    address: Callable[[T], Address],
    window_for: Callable[[str], SendWindow],
    start: datetime,
) -> list[tuple[T, datetime]]:
    """Each recipient with its send time. In each workspace, people never written to are placed
    first: theirs is the tighter limit, and the others fill the room their windows leave, so
    the round takes as few windows as the limits allow."""
    first: list[tuple[T, Address]] = []
    others: list[tuple[T, Address]] = []
    for recipient in recipients:
        to = address(recipient)
        (first if window_for(to.platform).is_first_contact(to) else others).append((recipient, to))
    schedules: dict[tuple[str, str], WindowSchedule] = {}
    timed: list[tuple[T, datetime]] = []
    for is_first, group in ((True, first), (False, others)):
        for recipient, to in group:
            workspace = (to.platform, to.tenant_id)
            if workspace not in schedules:
                schedules[workspace] = WindowSchedule(window_for(to.platform), start)
            timed.append((recipient, schedules[workspace].next_send(is_first)))
    return timed


# A flat pace for the other sends to many people (reach-in invitations, awareness reminders):
# under each platform's sustained rate (Slack: 300 posts a minute per workspace), so they leave
# room for offers and crisis messages without planning per-minute windows.
PACE_PER_SECOND: dict[str, float] = {"slack": 4.0, "teams": 15.0}
