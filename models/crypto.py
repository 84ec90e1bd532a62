"""Encryption at rest: a MultiFernet vault (newest key first) and a keyed hash for look-ups.

The vault is process-wide because SQLAlchemy column types need it when rows are read or
written; `configure_vault` is called once at start-up (and by the tests).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from config.settings import ConfigError, Settings

log = logging.getLogger(__name__)


class Vault:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigError("ENCRYPTION_KEYS: no key given")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        self._pseudonym_key: bytes | None = None

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigError(
                "ENCRYPTION_KEYS: stored data was encrypted with a key that is no longer "
                "configured; add the old key after the new one"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key."""
        return self._fernet.rotate(token.encode()).decode()

    def set_pseudonym_key(self, key: bytes) -> None:
        self._pseudonym_key = key

    def pseudonym(self, *parts: str) -> str:
        """A keyed hash of `parts`: stable for look-ups, meaningless without the key."""
        if self._pseudonym_key is None:
            raise RuntimeError("pseudonym key not loaded; call models.keyring.load_keyring first")
        message = "\x1f".join(parts).encode()
        return hmac.new(self._pseudonym_key, message, hashlib.sha256).hexdigest()


_vault: Vault | None = None


def configure_vault(vault: Vault) -> Vault:
    global _vault
    _vault = vault
    return vault


def vault() -> Vault:
    if _vault is None:
        raise RuntimeError("encryption vault not configured; call models.crypto.configure_vault")
    return _vault


def local_key(path: Path) -> str:
    """Read, or create with owner-only permissions, the key used when ENCRYPTION_KEYS is unset."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"LOCAL_KEY_FILE: {path} can be read by others; run chmod 600 {path}")
        key = path.read_text().strip()
        try:
            Fernet(key.encode())
        except ValueError:
            raise ConfigError(
                f"LOCAL_KEY_FILE: {path} does not hold a valid key; restore it from a backup, "
                "or delete it to start afresh (data encrypted with it becomes unreadable)"
            ) from None
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Fernet.generate_key().decode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def vault_from_settings(settings: Settings) -> Vault:
    keys = settings.encryption_key_list
    if not keys:
        if settings.environment == "production":
            raise ConfigError("ENCRYPTION_KEYS: required in production")
        path = Path(settings.local_key_file)
        keys = [local_key(path)]
        log.info("ENCRYPTION_KEYS unset: using the local key in %s (not for production)", path)
    return Vault(keys)
