"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server). Each test session creates
its own throwaway database on it. Under CI an unreachable PostgreSQL fails the run; elsewhere
the PostgreSQL half of the tests is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.engine import make_url

from models import Base
from models.crypto import Vault, configure_vault
from models.db import Database
from models.keyring import load_keyring

# The small hospital most core tests run in (its `hospital` fixture), for every folder.
pytest_plugins = ("tests.hospital",)

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
T = TypeVar("T")
TEST_KEY = Fernet.generate_key().decode()


def _postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _create_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even when a loop is already running here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def test_vault() -> Vault:
    return configure_vault(Vault([TEST_KEY]))


@pytest.fixture(scope="session")
def postgres_url(test_vault: Vault) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, with the schema created."""
    admin_url = _postgres_admin_url()
    name = f"peer_support_test_{uuid.uuid4().hex[:10]}"
    try:
        run_blocking(_create_database(admin_url, name))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL unreachable at {admin_url}: {type(exc).__name__}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (under CI the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    async def create_schema() -> None:
        database = Database(url)
        async with database.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await database.dispose()

    run_blocking(create_schema())
    yield url
    run_blocking(_drop_database(admin_url, name))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """CLI tests reconfigure logging onto streams that close after them: put it back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
async def database(database_url: str, test_vault: Vault) -> AsyncIterator[Database]:
    """An empty database with the current schema, and the vault's keyring loaded from it."""
    configure_vault(test_vault)  # a CLI test may have installed another vault
    database = Database(database_url)
    async with database.engine.begin() as connection:
        if database.is_postgres:
            tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            await connection.run_sync(Base.metadata.create_all)
    await load_keyring(database, test_vault)
    yield database
    await database.dispose()
