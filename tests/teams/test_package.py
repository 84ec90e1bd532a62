"""The Teams app package: manifest with the bot's app id, icons of the sizes Teams requires."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.teams.package import build_package
from config.settings import ConfigError
from handlers.chat.commands import Command, command_of

APP_ID = "2b7c3a5e-1111-4222-8333-444455556666"
MENU = (
    Command.SUPPORT,
    Command.HELP,
    Command.PULSE_ON,
    Command.PULSE_OFF,
    Command.FORGET,
    Command.ADMIN,
    Command.REPORT,
    Command.UNAVAILABLE,
    Command.AVAILABLE,
)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_package_holds_the_manifest_and_icons(tmp_path: Path):
    path = build_package(tmp_path / "teams.zip", APP_ID, "bot.example.org")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "es.json",
            "manifest.json",
            "outline.png",
        ]
        manifest = json.loads(archive.read("manifest.json"))
        spanish = json.loads(archive.read("es.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert float(manifest["manifestVersion"]) >= 1.16
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal"]
    [commands] = bot["commandLists"]
    titles = [command["title"] for command in commands["commands"]]
    assert titles == [
        "support",
        "help",
        "pulse on",
        "pulse off",
        "forget me",
        "admin",
        "report",
        "unavailable",
        "available",
    ]
    # Each entry of the command menu, in either language, is a word the bot understands.
    assert [command_of(title) for title in titles] == list(MENU)
    assert manifest["localizationInfo"]["additionalLanguages"] == [
        {"languageTag": "es", "file": "es.json"}
    ]
    key = "bots[0].commandLists[0].commands[{}].title"
    assert [command_of(spanish[key.format(n)]) for n in range(len(titles))] == list(MENU)
    assert all(len(title) <= 32 for title in titles)
    assert manifest["validDomains"] == ["bot.example.org"]
    assert "{{" not in json.dumps(manifest)


@pytest.mark.parametrize("app_id", [None, "", "not-a-guid"])
def test_the_package_needs_the_bots_app_id(tmp_path: Path, app_id: str | None):
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
        build_package(tmp_path / "teams.zip", app_id)
    assert not (tmp_path / "teams.zip").exists()


def test_the_cli_command_writes_the_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "00000000-0000-0000-0000-0000000000aa")
    result = CliRunner().invoke(app, ["teams-package", "--output", "out/teams.zip"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(tmp_path / "out" / "teams.zip")

    monkeypatch.delenv("MICROSOFT_APP_ID")
    result = CliRunner().invoke(app, ["teams-package", "--output", "again.zip"])
    assert result.exit_code == 2
    assert "MICROSOFT_APP_ID" in result.output
