"""What the use cases say and to whom: platform-neutral messages and the messenger port.

Adapters implement `Messenger` (Slack renders a `Message` as Block Kit, Teams as an Adaptive
Card). Messages are pydantic models so they travel inside due jobs as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

ButtonStyle = Literal["primary", "danger"] | None


class Address(BaseModel):
    """How an adapter reaches one person: platform, tenant, user id and what it stored for them."""

    platform: str
    tenant_id: str
    user_id: str
    data: dict[str, Any] = Field(default_factory=dict)


class Button(BaseModel):
    action: str  # what the click means: "offer.accept", "request.withdraw", ...
    label: str
    value: str  # the id the click refers to (an offer, a request)
    style: ButtonStyle = None
    # The index in `Message.lines` of the question this button answers: the adapters show such
    # buttons in a row right under it, one row per question (Teams shows five actions in a row
    # and hides the rest, the opt-out with them). None: with the message's own buttons, last.
    answers_line: int | None = None


class Attachment(BaseModel):
    """A small text file sent with a message (a calendar invitation)."""

    filename: str
    content_type: str
    content: str
    # The button a platform that cannot send the file shows instead (Teams: a link that opens
    # the event in the person's calendar).
    label: str = ""


class Message(BaseModel):
    """A message for one person, already in their language.

    `crisis` holds the organisation's crisis lines (a heading, then one line each). A message
    that holds them is never overwritten without them: an update keeps them (`Delivery`), and a
    click on one of its buttons is answered with a new message (the adapters). When something
    changes, `status` and `buttons` are what an update replaces (`restated`).
    """

    kind: str  # "offer", "offer.update", "notice", "intake.ack", "relay", ...
    title: str | None = None
    crisis: list[str] = Field(default_factory=list)
    crisis_first: bool = False  # shown right under the title, before anything else
    lines: list[str] = Field(default_factory=list)
    status: str | None = None  # where things stand (replaced in place as they change)
    fields: list[tuple[str, str]] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    footer: str | None = None
    # Someone the reader should get in touch with (rendered as a mention where possible).
    contact: Address | None = None
    attachment: Attachment | None = None
    # Answers to open the intake form with (urgency, category, contact, language, anonymous):
    # the adapter opens the form, filled in, along with this message.
    prefill: dict[str, str] | None = None

    def plain_text(self) -> str:
        """Everything a person would read, as one string (fallback text, tests)."""
        crisis_before = self.crisis if self.crisis_first else []
        crisis_after = [] if self.crisis_first else self.crisis
        parts = [self.title or "", *crisis_before, *self.lines, self.status or "", *crisis_after]
        parts += [f"{label}: {value}" for label, value in self.fields]
        parts += [button.label for button in self.buttons]
        parts.append(self.footer or "")
        return "\n".join(part for part in parts if part)


def restated(message: Message, status: str | None, buttons: list[Button] | None = None) -> Message:
    """`message` as it should read now: the same text and crisis lines, a new status line and
    buttons (none unless given)."""
    return message.model_copy(update={"status": status, "buttons": list(buttons or [])})


class Messenger(Protocol):
    """Implemented by each platform adapter. Both calls raise on failure; the job engine retries."""

    async def send(self, to: Address, message: Message) -> dict[str, Any]:
        """Send a direct message; returns a reference that `update` understands."""
        ...

    async def update(self, to: Address, ref: dict[str, Any], message: Message) -> dict[str, Any]:
        """Replace a message sent earlier, in place."""
        ...


def _already_reachable(_to: Address) -> bool:
    return False


@dataclass(frozen=True)
class SendWindow:
    """What a bulk send (the weekly pulse) may put through one workspace: `per_window` direct
    messages in each `window`, of which at most `first_contacts` may go to people the bot has
    never written to (`is_first_contact`), when reaching them costs a call with a lower limit
    of its own (Slack's `conversations.open`). The adapter that knows its platform's published
    limits says what they are; bursts up to the allowance go at once, the rest a window later."""

    per_window: int
    window: timedelta
    first_contacts: int | None = None
    is_first_contact: Callable[[Address], bool] = _already_reachable


# For a platform whose adapter is not running in this process: one message a second.
CAUTIOUS_WINDOW = SendWindow(per_window=1, window=timedelta(seconds=1))


class UnknownPlatform(Exception):
    """No adapter is running for the platform a message is addressed to."""


class Messengers:
    """The adapters that are on in this process, by platform."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Messenger] = {}
        self._windows: dict[str, SendWindow] = {}

    def register(
        self, platform: str, messenger: Messenger, window: SendWindow = CAUTIOUS_WINDOW
    ) -> None:
        self._by_platform[platform] = messenger
        self._windows[platform] = window

    def window_for(self, platform: str) -> SendWindow:
        """How fast a bulk send may go to `platform`'s workspaces."""
        return self._windows.get(platform, CAUTIOUS_WINDOW)

    def for_platform(self, platform: str) -> Messenger:
        try:
            return self._by_platform[platform]
        except KeyError:
            raise UnknownPlatform(platform) from None

    @property
    def platforms(self) -> list[str]:
        return sorted(self._by_platform)
