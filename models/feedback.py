"""Follow-up answers and pulse rounds: stored with no link to a person or a case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import EncryptedText, UTCDateTime


class FollowUpAnswer(Base):
    __tablename__ = "follow_up_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    offset_days: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(16))  # score, talk_again or stop
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    week_of: Mapped[date] = mapped_column(Date)  # Monday of the answer's week: the only time kept


class EncounterAnswer(Base):
    """What kind of support a closed case was, as its peer said: no case, no person, no time
    but the Monday of the week it was answered (`handlers/support/encounters.py`)."""

    __tablename__ = "encounter_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # listened, practical, referred or group
    week_of: Mapped[date] = mapped_column(Date)


class PulseRound(Base):
    __tablename__ = "pulse_rounds"
    __table_args__ = (UniqueConstraint("organisation_id", "week_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    week_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Keyed-hash key for duplicate refusal; deleted when the round closes.
    voter_key: Mapped[str | None] = mapped_column(EncryptedText, default=None)


class PulseAnswer(Base):
    __tablename__ = "pulse_answers"
    __table_args__ = (UniqueConstraint("round_id", "question", "voter_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id", ondelete="CASCADE"))
    question: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    voter_hash: Mapped[str] = mapped_column(String(64))
