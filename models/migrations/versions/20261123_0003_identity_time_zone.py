"""identity time zone: a person's own time zone, so check-ins come in their morning

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(sa.Column("time_zone", models.types.EncryptedText(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the table, and dropping the old one would
    # cascade to every peer (foreign keys are on). SQLite 3.35+ drops a column in place.
    op.drop_column("chat_identities", "time_zone")
