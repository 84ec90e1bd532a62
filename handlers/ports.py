"""What the use cases say and to whom: platform-neutral messages and the messenger port.

Adapters implement `Messenger` (Slack renders a `Message` as Block Kit, Teams as an Adaptive
Card). Messages are pydantic models so they travel inside due jobs as JSON.
"""

from __future__ import annotations

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


class Message(BaseModel):
    """A message for one person, already in their language."""

    kind: str  # "offer", "offer.update", "notice", "intake.ack", "relay", ...
    title: str | None = None
    lines: list[str] = Field(default_factory=list)
    fields: list[tuple[str, str]] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    footer: str | None = None
    # Someone the reader should get in touch with (rendered as a mention where possible).
    contact: Address | None = None

    def plain_text(self) -> str:
        """Everything a person would read, as one string (fallback text, tests)."""
        parts = [self.title or "", *self.lines]
        parts += [f"{label}: {value}" for label, value in self.fields]
        parts += [button.label for button in self.buttons]
        parts.append(self.footer or "")
        return "\n".join(part for part in parts if part)


class Messenger(Protocol):
    """Implemented by each platform adapter. Both calls raise on failure; the job engine retries."""

    async def send(self, to: Address, message: Message) -> dict[str, Any]:
        """Send a direct message; returns a reference that `update` understands."""
        ...

    async def update(self, to: Address, ref: dict[str, Any], message: Message) -> dict[str, Any]:
        """Replace a message sent earlier, in place."""
        ...


class UnknownPlatform(Exception):
    """No adapter is running for the platform a message is addressed to."""


class Messengers:
    """The adapters that are on in this process, by platform."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Messenger] = {}

    def register(self, platform: str, messenger: Messenger) -> None:
        self._by_platform[platform] = messenger

    def for_platform(self, platform: str) -> Messenger:
        try:
            return self._by_platform[platform]
        except KeyError:
            raise UnknownPlatform(platform) from None

    @property
    def platforms(self) -> list[str]:
        return sorted(self._by_platform)
