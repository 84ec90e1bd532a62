"""Encryption at rest: keys rotate, the local key is private, production insists on a key."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from config.settings import ConfigError, load_settings
from models.crypto import Vault, local_key, vault_from_settings


def test_old_data_stays_readable_after_a_new_key_is_put_first() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Vault([old]).encrypt("Dr Example")
    rotated_vault = Vault([new, old])
    assert rotated_vault.decrypt(token) == "Dr Example"
    rotated = rotated_vault.rotate(token)
    assert Vault([new]).decrypt(rotated) == "Dr Example"


def test_data_under_a_dropped_key_gives_a_clear_error() -> None:
    token = Vault([Fernet.generate_key().decode()]).encrypt("x")
    with pytest.raises(ConfigError, match="^ENCRYPTION_KEYS: "):
        Vault([Fernet.generate_key().decode()]).decrypt(token)


def test_local_key_is_created_once_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "encryption.key"
    key = local_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert local_key(path) == key
    Fernet(key.encode())


def test_production_without_keys_is_refused() -> None:
    with pytest.raises(ConfigError, match="^ENCRYPTION_KEYS: required in production"):
        vault_from_settings(load_settings(ENVIRONMENT="production", ENCRYPTION_KEYS=""))


def test_pseudonyms_need_the_key_and_depend_on_it() -> None:
    vault = Vault([Fernet.generate_key().decode()])
    with pytest.raises(RuntimeError):
        vault.pseudonym("slack", "T1", "U1")
    vault.set_pseudonym_key(b"a" * 32)
    first = vault.pseudonym("slack", "T1", "U1")
    assert "U1" not in first and len(first) == 64
    vault.set_pseudonym_key(b"b" * 32)
    assert vault.pseudonym("slack", "T1", "U1") != first
