"""Secrets from mounted files: `NAME_FILE` for every secret setting, and one line if it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from config.secret_files import SECRET_SETTINGS
from config.settings import ConfigError, Settings, load_settings
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.usefixtures("clean_env")


def test_every_secret_setting_is_a_setting() -> None:
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert set(SECRET_SETTINGS) <= aliases


def test_secrets_are_read_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = {
        "SLACK_BOT_TOKEN": "xoxb-from-a-file\n",  # the trailing newline of `echo` is dropped
        "SLACK_SIGNING_SECRET": "signing-from-a-file",
        "ENCRYPTION_KEYS": TEST_KEY + "\n",
        "DATABASE_URL": "postgres://peer:pa55@db:5432/peer_support\n",
        "MICROSOFT_APP_PASSWORD": "teams-secret",
    }
    for name, content in files.items():
        path = tmp_path / name.lower()
        path.write_text(content)
        monkeypatch.setenv(f"{name}_FILE", str(path))
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "00000000-0000-0000-0000-000000000002")
    settings = load_settings()
    assert settings.slack_bot_token == "xoxb-from-a-file"
    assert settings.slack_signing_secret == "signing-from-a-file"
    assert settings.encryption_key_list == [TEST_KEY]
    assert settings.database_url == "postgresql+asyncpg://peer:pa55@db:5432/peer_support"
    assert settings.microsoft_app_password == "teams-secret"


def test_a_secret_read_from_a_file_is_checked_like_any_other(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "token").write_text("not-a-bot-token")
    monkeypatch.setenv("SLACK_BOT_TOKEN_FILE", str(tmp_path / "token"))
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN: expected a bot token"):
        load_settings()


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        ("missing", "error: ENCRYPTION_KEYS_FILE: cannot read the secret file {path} (No such"),
        ("unreadable", "error: ENCRYPTION_KEYS_FILE: cannot read the secret file {path} (Is a"),
        ("empty", "error: ENCRYPTION_KEYS_FILE: the secret file {path} is empty"),
        ("both", "error: ENCRYPTION_KEYS_FILE: set ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE, not"),
    ],
)
def test_a_secret_file_that_cannot_be_used_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prepare: str, expected: str
) -> None:
    path = tmp_path / "encryption_keys"
    if prepare == "unreadable":
        path.mkdir()  # a directory where the file should be (root reads any file)
    elif prepare == "empty":
        path.write_text("\n")
    elif prepare == "both":
        path.write_text(TEST_KEY)
        monkeypatch.setenv("ENCRYPTION_KEYS", TEST_KEY)
    monkeypatch.setenv("ENCRYPTION_KEYS_FILE", str(path))
    result = CliRunner().invoke(app, ["check-config"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(expected.format(path=path)), line
    assert TEST_KEY not in result.output
