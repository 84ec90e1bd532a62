"""What the fake Slack Web API keeps: its users, the calls it answered, files uploaded to it,
the modals on people's screens, and Slack's published rate limits."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

# Slack's published limits (requests a minute per workspace) for the methods the bot uses.
TIER_LIMITS_PER_MINUTE: dict[str, int] = {
    "conversations.open": 50,  # tier 3
    "users.info": 100,  # tier 4
    "views.open": 100,
    "views.update": 100,
    "views.push": 100,
    "views.publish": 100,
}
# chat.postMessage: about one message a second per channel, and "several hundred" a minute per
# workspace; 300 is the conservative reading.
POST_PER_CHANNEL_PER_SECOND = 1.0
POST_PER_WORKSPACE_PER_MINUTE = 300


@dataclass
class SlackUser:
    id: str
    name: str
    locale: str = "en-US"
    tz: str = "Europe/London"


@dataclass(frozen=True)
class ApiCall:
    """A call the fake answered: the method, its arguments, and the token it came with."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class RateLimiter:
    """Sliding windows; `scale` multiplies every limit (benchmarks run faster than real time)."""

    scale: float = 1.0
    _calls: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def retry_after(self, key: str, limit: float, window: float) -> float | None:
        """Seconds to wait if one more call in `window` seconds would exceed `limit`."""
        now = time.monotonic()
        calls = self._calls[key]
        while calls and calls[0] <= now - window:
            calls.popleft()
        if len(calls) >= limit * self.scale:
            return calls[0] + window - now
        calls.append(now)
        return None

    def throttle(self, method: str, params: dict[str, Any]) -> float | None:
        """Seconds to wait before `method` may be called again (None: it may now)."""
        if method == "chat.postMessage":
            channel = str(params.get("channel", ""))
            return self.retry_after(
                f"post:{channel}", POST_PER_CHANNEL_PER_SECOND, 1.0
            ) or self.retry_after("post", POST_PER_WORKSPACE_PER_MINUTE, 60.0)
        if method in TIER_LIMITS_PER_MINUTE:
            return self.retry_after(method, TIER_LIMITS_PER_MINUTE[method], 60.0)
        return None


@dataclass
class SharedFile:
    """A file the bot uploaded (files_upload_v2): announced, then its bytes, then shared."""

    filename: str
    length: int = 0
    alt_txt: str | None = None
    title: str = ""
    data: bytes = b""
    channel: str | None = None  # where files.completeUploadExternal shared it

    @property
    def content_type(self) -> str:
        return "image/png" if self.filename.lower().endswith(".png") else "application/octet-stream"


@dataclass
class OpenModal:
    """The modals on a person's screen (views.push stacks them; the last is shown), and the
    shown one's field errors."""

    stack: list[str]
    errors: dict[str, str] = field(default_factory=dict)
