"""Loads (creating on first start) the instance's pseudonym key into the vault."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError

from models.crypto import Vault
from models.db import Database
from models.events import KeyringEntry

PSEUDONYM_KEY = "pseudonym"


async def load_keyring(database: Database, vault: Vault) -> None:
    async with database.session() as session:
        entry = await session.get(KeyringEntry, PSEUDONYM_KEY)
        if entry is None:
            session.add(KeyringEntry(name=PSEUDONYM_KEY, value=secrets.token_hex(32)))
            try:
                await session.commit()
            except IntegrityError:  # another process created it first
                await session.rollback()
            entry = await session.get(KeyringEntry, PSEUDONYM_KEY, populate_existing=True)
        assert entry is not None
        vault.set_pseudonym_key(bytes.fromhex(entry.value))
