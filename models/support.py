"""Support requests and the offers made to peers for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.types import EncryptedText, UTCDateTime


class RequestStatus(enum.StrEnum):
    OPEN = "open"  # offers out, nobody has accepted yet
    ACCEPTED = "accepted"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class OfferStatus(enum.StrEnum):
    PENDING = "pending"  # queued for a one-at-a-time offer, not shown yet
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TAKEN = "taken"  # a colleague accepted first
    WITHDRAWN = "withdrawn"  # the requester withdrew, or the offer timed out


class SupportRequest(Base):
    __tablename__ = "support_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # Null once personal data has been purged or erased.
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_identities.id", ondelete="SET NULL"), index=True
    )
    urgency: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    contact: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    exclude_own_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    requester_unit: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    note: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    # A phone number the requester gave for a call (named requests only); the accepting peer
    # alone is shown it.
    contact_number: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value, index=True)
    tier_index: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    accepted_peer_id: Mapped[int | None] = mapped_column(
        ForeignKey("peers.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_by: Mapped[str | None] = mapped_column(String(16), default=None)
    # The peer has said what kind of support it was (the answer itself is kept apart, unlinked:
    # `encounter_answers`); only so that a case is counted once.
    encounter_noted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def reference(self) -> str:
        """A short case reference that reveals nothing (the id is random, or a hash of the
        form's id)."""
        return self.id[:6].upper()


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("request_id", "peer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=OfferStatus.OPEN.value)
    # The delivery job that showed the offer: its result says where, so it can be updated.
    delivery_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("due_jobs.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
