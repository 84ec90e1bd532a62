"""Bad settings stop start-up with one line naming the variable, and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import app
from config.settings import ConfigError, load_settings
from tests.conftest import TEST_KEY

BAD_SETTINGS = [
    ({"SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "not-a-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET"),
    ({"SLACK_APP_TOKEN": "xoxb-wrong", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ({"DATABASE_URL": "mysql://user@host/db"}, "DATABASE_URL"),
    ({"ENCRYPTION_KEYS": "too-short"}, "ENCRYPTION_KEYS"),
    ({"ENVIRONMENT": "production"}, "ENCRYPTION_KEYS"),
    ({"PORT": "eighty"}, "PORT"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ({"HEALTH_PORT": "0"}, "HEALTH_PORT"),
    ({"DEFAULT_TIME_ZONE": "Mars/Olympus"}, "DEFAULT_TIME_ZONE"),
    (
        {"TEAMS_ENABLED": "true", "ENVIRONMENT": "production", "ENCRYPTION_KEYS": TEST_KEY},
        "TEAMS_ENABLED",
    ),
    ({"MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001"}, "MICROSOFT_APP_PASSWORD"),
    (
        {"MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001", "MICROSOFT_APP_PASSWORD": "p"},
        "MICROSOFT_APP_TENANT_ID",
    ),
]


@pytest.mark.parametrize(("env", "variable"), BAD_SETTINGS)
def test_bad_setting_gives_one_line_naming_the_variable(
    clean_env: Path, env: dict[str, str], variable: str
) -> None:
    result = CliRunner().invoke(app, ["check-config"], env=env)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {variable}:"), lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "mode", "problem"),
    [("not a key\n", 0o600, "does not hold a valid key"), (None, 0o644, "can be read by others")],
)
def test_a_bad_local_key_file_gives_one_line(
    clean_env: Path, content: str | None, mode: int, problem: str
) -> None:
    key_file = clean_env / ".peer_support" / "encryption.key"
    key_file.parent.mkdir()
    key_file.write_text(content or TEST_KEY)
    key_file.chmod(mode)
    result = CliRunner().invoke(app, ["check-config"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: LOCAL_KEY_FILE:") and problem in line


def test_postgres_urls_as_pasted_are_accepted(clean_env: Path) -> None:
    settings = load_settings(DATABASE_URL="postgres://u:p@db.example/peers")
    assert settings.database_url == "postgresql+asyncpg://u:p@db.example/peers"


def test_blank_values_count_as_unset(clean_env: Path) -> None:
    settings = load_settings(SLACK_BOT_TOKEN="  ", SLACK_SIGNING_SECRET="")
    assert not settings.slack_enabled


def test_load_settings_raises_config_error_not_validation_error(clean_env: Path) -> None:
    with pytest.raises(ConfigError, match=r"^PORT: "):
        load_settings(PORT="0")


def test_check_config_on_defaults_reports_platforms_off(clean_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["check-config"])
    assert result.exit_code == 0, result.output
    assert "schema current" in result.stdout
    assert "slack: off: set SLACK_BOT_TOKEN" in result.stdout


def test_check_config_before_migrations_says_to_run_them(clean_env: Path) -> None:
    result = CliRunner().invoke(app, ["check-config"])
    assert result.exit_code == 2
    assert "peer-support db upgrade" in result.stderr


def test_unreachable_database_is_one_line(clean_env: Path) -> None:
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = CliRunner().invoke(app, ["check-config"], env=env)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: DATABASE_URL: cannot connect")


def test_console_script_exits_non_zero_with_one_line(clean_env: Path) -> None:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-1"}
    script = Path(sys.executable).with_name("peer-support")
    done = subprocess.run(
        [str(script), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: SLACK_SIGNING_SECRET: required with a Slack token or client id "
        "(Slack app > Basic Information > Signing Secret)"
    ]


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of a click group (typer's groups are click's, or its own
    copy of them in newer typer: hence the duck typing)."""
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*path, name))
        if hasattr(command, "commands"):
            found += _commands(command, (*path, name))
    return found


@pytest.mark.parametrize("command", _commands(typer.main.get_command(app)), ids=" ".join)
def test_every_command_explains_itself(command: tuple[str, ...]) -> None:
    """`--help` on every command and subcommand says what it does, for a newcomer."""
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    before_panels = result.stdout.split("╭")[0]
    usage, _, description = before_panels.strip().partition("\n")
    assert usage.startswith("Usage:")
    assert len(description.split()) >= 3, result.stdout  # a sentence, not a bare name
