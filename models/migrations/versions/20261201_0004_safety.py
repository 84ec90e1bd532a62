"""safety: an organisation's own risk phrases, and a requester's phone number for a call

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("risk_phrases", sa.JSON(), nullable=True))
    with op.batch_alter_table("support_requests") as batch:
        batch.add_column(sa.Column("contact_number", models.types.EncryptedText(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the tables, and dropping the old ones would
    # cascade (foreign keys are on). SQLite 3.35+ drops a column in place.
    op.drop_column("support_requests", "contact_number")
    op.drop_column("organisations", "risk_phrases")
