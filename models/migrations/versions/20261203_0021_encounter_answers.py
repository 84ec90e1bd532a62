"""encounter answers: what kind of support a closed case was, counted apart from the case

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "encounter_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_encounter_answers_organisation_id"), "encounter_answers", ["organisation_id"]
    )
    with op.batch_alter_table("support_requests") as batch:
        batch.add_column(
            sa.Column("encounter_noted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the table, and dropping the old one would
    # cascade to every offer (foreign keys are on). SQLite 3.35+ drops a column in place.
    op.drop_column("support_requests", "encounter_noted")
    op.drop_index(op.f("ix_encounter_answers_organisation_id"), table_name="encounter_answers")
    op.drop_table("encounter_answers")
