"""Reach-in after a serious event: what the coordinator recorded, and who was offered support.

An event keeps only aggregate answers (how many asked to talk, said maybe later, said no
thanks): no answer is ever stored beside a person. An invite links a colleague to the event
only while they may still answer; their final answer unlinks it (`identity_id` set to null).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.types import EncryptedJSON, EncryptedText, UTCDateTime


class ReachInEvent(Base):
    __tablename__ = "reach_in_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    occurred_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(32))
    # The units affected (a list of names) and the coordinator's note: encrypted, as both can
    # point at the people involved.
    units: Mapped[list[str] | None] = mapped_column(EncryptedJSON, default=None)
    note: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    # Whom it reached (chat identity ids), encrypted: a group session is offered to them, and
    # nothing here says how any of them answered.
    recipients: Mapped[list[int] | None] = mapped_column(EncryptedJSON, default=None)
    recorded_by: Mapped[str] = mapped_column(String(32))  # "peer:<id>" or "admin:cli"
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reached: Mapped[int] = mapped_column(Integer, default=0)
    talk: Mapped[int] = mapped_column(Integer, default=0)
    later: Mapped[int] = mapped_column(Integer, default=0)
    declined: Mapped[int] = mapped_column(Integer, default=0)


class ReachInInvite(Base):
    __tablename__ = "reach_in_invites"
    __table_args__ = (UniqueConstraint("event_id", "identity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("reach_in_events.id", ondelete="CASCADE"), index=True
    )
    # Null once they gave a final answer (or were erased): the answer is never theirs to see.
    identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_identities.id", ondelete="SET NULL"), default=None
    )
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupSession(Base):
    """A group session after an event: when, where (a room or a call link, encrypted) and who
    facilitates. Attendance is not tracked."""

    __tablename__ = "group_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("reach_in_events.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(EncryptedText)
    facilitator_peer_id: Mapped[int | None] = mapped_column(
        ForeignKey("peers.id", ondelete="SET NULL"), default=None
    )
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
