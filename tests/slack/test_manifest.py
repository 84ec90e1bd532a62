"""The app manifest asks for what the adapter uses: its command, events, scopes and routes."""

from __future__ import annotations

from pathlib import Path

import yaml

import bot.slack
from bot.slack.listeners import SLASH_COMMAND
from bot.slack.oauth import BOT_SCOPES
from bot.slack.platform import EVENTS_ROUTE, REDIRECT_ROUTE
from handlers.chat.commands import Command
from handlers.core.i18n import t

TEXT = Path(bot.slack.__file__).with_name("manifest.yaml").read_text()
MANIFEST = yaml.safe_load(TEXT)
PUBLIC_URL = "https://peer-support.example.org"


def test_manifest_matches_the_adapter():
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    assert command["url"] == f"{PUBLIC_URL}{EVENTS_ROUTE}"
    settings = MANIFEST["settings"]
    assert settings["event_subscriptions"]["request_url"] == f"{PUBLIC_URL}{EVENTS_ROUTE}"
    assert {"app_home_opened", "message.im"} <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": f"{PUBLIC_URL}{EVENTS_ROUTE}",
        "message_menu_options_url": f"{PUBLIC_URL}{EVENTS_ROUTE}",
    }
    assert settings["socket_mode_enabled"] is False
    assert MANIFEST["oauth_config"]["redirect_urls"] == [f"{PUBLIC_URL}{REDIRECT_ROUTE}"]
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    home = MANIFEST["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]


def test_the_set_up_steps_count_every_url_to_replace():
    """The manifest's comment and the README say how many URLs to replace: all of them."""
    places = sum(line.count(PUBLIC_URL) for line in TEXT.splitlines() if not line.startswith("#"))
    assert places == 5
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert "public URL (five places below)" in TEXT and "public URL (five places)" in readme


def test_the_usage_hint_names_every_command():
    """Slack shows the hint as `/support` is typed: each thing it can be followed by is there
    (its first English word), the coordinator's `admin` and `report` too."""
    [command] = MANIFEST["features"]["slash_commands"]
    hint = command["usage_hint"].strip("[]").split(" | ")
    for each in Command:
        if each is Command.SUPPORT:  # `/support` alone opens the form
            continue
        assert t("en", f"words.{each.value}").split(",")[0] in hint, each
    assert len(command["usage_hint"]) <= 1000  # Slack's limit
