"""Organisations, their settings, and the chat workspaces (Slack team, Teams tenant) they own."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.types import UTCDateTime

DEFAULT_TIMEOUT_NOW_MINUTES = 10


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        # Figures for smaller groups could single people out (DESIGN.md).
        CheckConstraint("anonymity_threshold >= 3", name="anonymity_threshold_at_least_3"),
        CheckConstraint("retention_days >= 1", name="retention_days_positive"),
        CheckConstraint("offer_mode IN ('broadcast', 'sequential')", name="offer_mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    country: Mapped[str] = mapped_column(String(2), default="US")
    # A list of {"name", "contact", "verified_on"}; null means the country's defaults.
    crisis_resources: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    # Risk phrases of the organisation's own, matched besides the shipped ones (a list of str).
    risk_phrases: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    timeout_now_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_TIMEOUT_NOW_MINUTES)
    timeout_today_minutes: Mapped[int] = mapped_column(Integer, default=60)
    timeout_week_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    offer_mode: Mapped[str] = mapped_column(String(16), default="broadcast")
    follow_up_offsets_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 3, 7, 30])
    follow_up_local_hour: Mapped[int] = mapped_column(Integer, default=10)
    pulse_weekday: Mapped[int] = mapped_column(Integer, default=2)
    pulse_local_time: Mapped[time] = mapped_column(Time, default=time(11, 0))
    pulse_second_question: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymity_threshold: Mapped[int] = mapped_column(Integer, default=5)
    # "threshold" (under it suppressed) or "nhs" (1-7 suppressed, others rounded to 5).
    small_numbers: Mapped[str] = mapped_column(
        String(16), default="threshold", server_default="threshold"
    )
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    # How far ahead the coordinator is warned of a shift with nobody eligible on call.
    coverage_warning_hours: Mapped[int] = mapped_column(Integer, default=24)
    # Awareness: a gentle reminder to all staff every N weeks (0: off), and an introduction
    # to each new member of a Slack workspace (Slack's team_join; off unless turned on).
    awareness_every_weeks: Mapped[int] = mapped_column(Integer, default=0)
    welcome_new_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    # A reach-in touching more people than this (or more than one unit) suggests a group session.
    group_session_threshold: Mapped[int] = mapped_column(Integer, default=5)
    # Peers are told this many minutes before a stretch on call starts.
    on_call_notice_minutes: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Workspace(Base):
    """A Slack team or a Teams tenant, mapped to the organisation whose roster it shares."""

    __tablename__ = "workspaces"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
