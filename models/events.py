"""Platform event ids already processed, so a retried delivery creates nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.types import EncryptedText, UTCDateTime


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SeenSignature(Base):
    """Slack request signatures accepted lately, shared by every web process: the exact same
    signed request again is a replay, whichever process it reaches."""

    __tablename__ = "seen_signatures"

    signature: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class KeyringEntry(Base):
    """Instance secrets (the pseudonym key), encrypted with the vault so they rotate with it."""

    __tablename__ = "keyring"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(EncryptedText)
