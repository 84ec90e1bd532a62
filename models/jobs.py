"""Due jobs: every piece of deferred or outgoing work, durable and run exactly once."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.types import EncryptedJSON, UTCDateTime


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DueJob(Base):
    __tablename__ = "due_jobs"
    # Claims pick pending rows by (status, run_at) and break ties by id.
    __table_args__ = (Index("ix_due_jobs_status_run_at", "status", "run_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    # Encrypted: a delivery may carry a requester's contact for the accepting peer.
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    # The recipient's keyed hash (ChatIdentity.lookup_key, never a platform id), so forgetting
    # a person finds the jobs addressed to them without decrypting every payload.
    recipient_key: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
