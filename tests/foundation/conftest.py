"""What the foundation tests share: an environment with no settings of this machine in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith(
            ("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_", "DEFAULT_")
        ) or name in (
            "PORT",
            "ENVIRONMENT",
            "TEAMS_ENABLED",
            "LOG_FORMAT",
            "LOG_LEVEL",
            "HEALTH_PORT",
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
