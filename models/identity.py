"""Chat identities: how to reach a person on a platform, never stored in plain text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.types import EncryptedJSON, EncryptedText, UTCDateTime


class ChatIdentity(Base):
    __tablename__ = "chat_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str] = mapped_column(String(128))
    # Keyed hash of (platform, tenant, user id): lets us find a person without storing who it is.
    lookup_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(EncryptedText)
    display_name: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    # What the adapter needs to reach the person later (Slack DM channel, Teams reference).
    address: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, default=None)
    locale: Mapped[str | None] = mapped_column(String(16), default=None)
    # The person's own IANA time zone when their platform says it (check-ins come in their
    # morning); encrypted, as working somewhere else can single someone out.
    time_zone: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    pulse_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Stop these reminders" on the awareness reminder: never sent it again.
    awareness_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Pause for 1, 2 or 4 weeks" on a pulse or a check-in: nothing of that kind until then.
    pulse_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    check_ins_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the person removed the app (Teams' installationUpdate "remove"): nothing reaches
    # them, so routing passes them by until they add it again or write to the bot.
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
