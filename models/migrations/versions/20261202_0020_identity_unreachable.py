"""identity unreachable: when a person removed the app, so routing passes them by

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0020"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(sa.Column("unreachable_since", models.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the table, and dropping the old one would
    # cascade to every peer (foreign keys are on). SQLite 3.35+ drops a column in place.
    op.drop_column("chat_identities", "unreachable_since")
