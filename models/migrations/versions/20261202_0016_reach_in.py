"""reach-in: events a coordinator records, and the colleagues offered support after them

Revision ID: 0016
Revises: 0004
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0016"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reach_in_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("units", models.types.EncryptedJSON(), nullable=True),
        sa.Column("note", models.types.EncryptedText(), nullable=True),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("talk", sa.Integer(), nullable=False),
        sa.Column("later", sa.Integer(), nullable=False),
        sa.Column("declined", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reach_in_events_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reach_in_events")),
    )
    with op.batch_alter_table("reach_in_events") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reach_in_events_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "reach_in_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["reach_in_events.id"],
            name=op.f("fk_reach_in_invites_event_id_reach_in_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["chat_identities.id"],
            name=op.f("fk_reach_in_invites_identity_id_chat_identities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reach_in_invites")),
        sa.UniqueConstraint(
            "event_id", "identity_id", name=op.f("uq_reach_in_invites_event_id_identity_id")
        ),
    )
    with op.batch_alter_table("reach_in_invites") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reach_in_invites_event_id"), ["event_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("reach_in_invites")
    op.drop_table("reach_in_events")
