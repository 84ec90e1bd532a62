"""The app manifest asks for what the adapter uses: its command, events, scopes and routes."""

from __future__ import annotations

from pathlib import Path

import bot.slack
from bot.slack.listeners import SLASH_COMMAND
from bot.slack.platform import EVENTS_ROUTE, REDIRECT_ROUTE

MANIFEST = Path(bot.slack.__file__).with_name("manifest.yaml").read_text()


def test_manifest_matches_the_adapter():
    assert f"command: {SLASH_COMMAND}" in MANIFEST
    for event in ("app_home_opened", "message.im"):
        assert f"- {event}" in MANIFEST
    for scope in (
        "chat:write",
        "commands",
        "files:write",
        "im:history",
        "im:read",
        "im:write",
        "users:read",
    ):
        assert f"- {scope}\n" in MANIFEST
    assert MANIFEST.count(f"peer-support.example.org{EVENTS_ROUTE}") == 3
    assert f"peer-support.example.org{REDIRECT_ROUTE}" in MANIFEST
    assert "home_tab_enabled: true" in MANIFEST and "messages_tab_enabled: true" in MANIFEST
    assert "socket_mode_enabled: false" in MANIFEST
