"""Peer supporters, rotations and overrides: the roster that says who is on call."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.types import UTCDateTime


class Tier(enum.StrEnum):
    """Escalation order: offers go to each tier in turn."""

    PEER = "peer"
    BACKUP = "backup"
    COORDINATOR = "coordinator"
    PROFESSIONAL = "professional"


TIER_ORDER: tuple[Tier, ...] = (Tier.PEER, Tier.BACKUP, Tier.COORDINATOR, Tier.PROFESSIONAL)


class Peer(Base):
    __tablename__ = "peers"
    __table_args__ = (UniqueConstraint("organisation_id", "identity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[int] = mapped_column(ForeignKey("chat_identities.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(16), default=Tier.PEER.value)
    unit: Mapped[str | None] = mapped_column(String(100), default=None)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    training_valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # When an unavailable peer said they would be back (they become available again then).
    unavailable_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    caseload_cap: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rotation(Base):
    """Shifts of `shift_hours` from `handoff_time` (local) on `starts_on`, members in turn."""

    __tablename__ = "rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    tier: Mapped[str] = mapped_column(String(16), default=Tier.PEER.value)
    starts_on: Mapped[date] = mapped_column(Date)
    handoff_time: Mapped[time] = mapped_column(Time, default=time(8, 0))
    shift_hours: Mapped[int] = mapped_column(Integer, default=24)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[RotationMember]] = relationship(
        order_by="RotationMember.position", cascade="all, delete-orphan", lazy="selectin"
    )


class RotationMember(Base):
    __tablename__ = "rotation_members"

    rotation_id: Mapped[int] = mapped_column(
        ForeignKey("rotations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id", ondelete="CASCADE"), index=True)


class Override(Base):
    """`peer_id` is on call for `tier` during the period, replacing `replaces_peer_id` if set."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id", ondelete="CASCADE"))
    replaces_peer_id: Mapped[int | None] = mapped_column(
        ForeignKey("peers.id", ondelete="CASCADE"), default=None
    )
    tier: Mapped[str] = mapped_column(String(16), default=Tier.PEER.value)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
