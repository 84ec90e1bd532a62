"""small numbers: an organisation's reports may follow the NHS rule (1-7 suppressed, the
others rounded to the nearest 5) instead of the plain threshold

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no check constraint: on SQLite that would rebuild the table); the
    # command line accepts only the two values.
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column(
                "small_numbers", sa.String(length=16), server_default="threshold", nullable=False
            )
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the table, and dropping the old one would
    # cascade to every row that refers to an organisation. SQLite 3.35+ drops a column in place.
    op.drop_column("organisations", "small_numbers")
