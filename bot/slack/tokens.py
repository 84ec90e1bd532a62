"""Which bot token reaches a workspace: the one from the settings, or the installation's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# team id -> bot token, or None when the app is not installed there (any more).
TokenSource = Callable[[str], Awaitable[str | None]]


def static_token(token: str) -> TokenSource:
    """Single workspace: every team id this app sees is reached with the same token."""

    async def lookup(_team_id: str) -> str | None:
        return token

    return lookup
