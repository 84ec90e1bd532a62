"""Multi-workspace Slack: slack_sdk's SQLAlchemy stores on our tables (models/slack_install.py).

Those tables encrypt every token with the vault as it is written and decrypt it as it is read,
so the stores below behave exactly as slack_sdk's while the database holds no usable credential.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import desc, select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, Base

STATE_SECONDS = 600  # an install started more than 10 minutes ago must start again


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    def __init__(self, client_id: str, engine: AsyncEngine) -> None:
        super().__init__(client_id, engine)
        self.metadata = Base.metadata
        self.bots = SLACK_BOTS
        self.installations = SLACK_INSTALLATIONS

    async def bot_token(self, team_id: str) -> str | None:
        """The workspace's current bot token, None once the app is uninstalled there.

        By team id alone: a workspace of an Enterprise Grid is installed with its enterprise id,
        which the messenger's addresses do not carry.
        """
        c = self.bots.c
        query = (
            select(c.bot_token)
            .where(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None))
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        async with self.engine.connect() as connection:
            return (await connection.execute(query)).scalar()


class OAuthStateStore(AsyncSQLAlchemyOAuthStateStore):
    """One-time `state` values of installs in progress (nothing secret: not encrypted)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(expiration_seconds=STATE_SECONDS, engine=engine)
        self.metadata = Base.metadata
        self.oauth_states = SLACK_OAUTH_STATES
