"""Everything one process needs, built once from the settings: vault, database, adapters, jobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import text

from config.settings import ConfigError, Settings
from handlers.ports import Messengers
from models.crypto import Vault, configure_vault, vault_from_settings
from models.db import Database
from models.keyring import load_keyring
from models.migrate import upgrade
from scheduler.engine import JobEngine

log = logging.getLogger(__name__)

HEAD_REVISION_QUERY = text("SELECT version_num FROM alembic_version")


@dataclass
class Runtime:
    settings: Settings
    vault: Vault
    database: Database
    messengers: Messengers = field(default_factory=Messengers)
    engine: JobEngine | None = None
    platform_status: dict[str, str] = field(default_factory=dict)


def build_runtime(settings: Settings) -> Runtime:
    vault = configure_vault(vault_from_settings(settings))
    database = Database(settings.database_url, pool_pre_ping=True)
    return Runtime(settings=settings, vault=vault, database=database)


async def prepare_database(runtime: Runtime, *, migrate: bool) -> None:
    """Migrate (embedded default) or insist the schema is current, then load the keyring."""
    if migrate:
        await upgrade(runtime.database)
    else:
        await ensure_schema_current(runtime.database)
    await load_keyring(runtime.database, runtime.vault)


async def ensure_schema_current(database: Database) -> None:
    from alembic.script import ScriptDirectory

    from models.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    try:
        async with database.engine.connect() as connection:
            current = (await connection.execute(HEAD_REVISION_QUERY)).scalar()
    except Exception:
        current = None
    if current != head:
        raise ConfigError(
            "DATABASE_URL: the database schema is not up to date; run `peer-support db upgrade`"
        )
