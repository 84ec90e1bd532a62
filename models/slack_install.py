"""The tables of slack_sdk's SQLAlchemy installation and OAuth state stores (multi-workspace
Slack), on our metadata so the migrations and the tests see them.

Columns, names and indexes are slack_sdk's (a test compares them with slack_sdk's own
definitions), except that every token and the webhook URL are `EncryptedText`: the database
alone never holds a credential. slack_sdk stores naive UTC datetimes here.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, func

from models.base import Base
from models.types import EncryptedText

SECRET_COLUMNS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)


def _app_columns() -> list[Column]:
    """Which app was installed where (both tables start with these)."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


def _bot_columns() -> list[Column]:
    """The bot user and its token (both tables have these)."""
    return [
        Column("bot_token", EncryptedText),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", EncryptedText),
        Column("bot_token_expires_at", DateTime),
    ]


SLACK_BOTS = Table(
    "slack_bots",
    Base.metadata,
    *_app_columns(),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    *_bot_columns(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

SLACK_INSTALLATIONS = Table(
    "slack_installations",
    Base.metadata,
    *_app_columns(),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    *_bot_columns(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", EncryptedText),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", EncryptedText),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", EncryptedText),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

SLACK_OAUTH_STATES = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
