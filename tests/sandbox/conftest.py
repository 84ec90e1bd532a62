"""A sandbox started in-process on free loopback ports, on its own SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.server import Ports, Sandbox
from config.settings import Settings
from models.crypto import Vault, configure_vault
from tests.conftest import TEST_KEY


def sandbox_settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        ENVIRONMENT="test",
        ENCRYPTION_KEYS=TEST_KEY,
        LOCAL_KEY_FILE=str(tmp_path / "unused.key"),
    )


@pytest.fixture
async def sandbox(tmp_path: Path, test_vault: Vault) -> AsyncIterator[Sandbox]:
    instance = Sandbox(
        sandbox_settings(tmp_path),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}",
        ports=Ports(bot=0, page=0),
    )
    await instance.start()
    try:
        yield instance
    finally:
        await instance.stop()
        configure_vault(test_vault)  # the sandbox installed its own, as `serve` does
