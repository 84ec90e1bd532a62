"""reach-in: events a coordinator records, the colleagues offered support after them, the
awareness and on-call notice settings, pauses, and a peer's return time

Revision ID: 0016
Revises: 0131
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0016"
down_revision: str | None = "0131"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column("awareness_every_weeks", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("welcome_new_staff", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("group_session_threshold", sa.Integer(), nullable=False, server_default="5")
        )
        batch.add_column(
            sa.Column("on_call_notice_minutes", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(
            sa.Column("awareness_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("pulse_paused_until", models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "check_ins_paused_until", models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("peers") as batch:
        batch.add_column(
            sa.Column("unavailable_until", models.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "reach_in_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("units", models.types.EncryptedJSON(), nullable=True),
        sa.Column("note", models.types.EncryptedText(), nullable=True),
        sa.Column("recipients", models.types.EncryptedJSON(), nullable=True),
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
    op.create_table(
        "group_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", models.types.EncryptedText(), nullable=False),
        sa.Column("facilitator_peer_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["reach_in_events.id"],
            name=op.f("fk_group_sessions_event_id_reach_in_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_peer_id"],
            ["peers.id"],
            name=op.f("fk_group_sessions_facilitator_peer_id_peers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_sessions")),
    )
    with op.batch_alter_table("group_sessions") as batch_op:
        batch_op.create_index(batch_op.f("ix_group_sessions_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_table("group_sessions")
    op.drop_table("reach_in_invites")
    op.drop_table("reach_in_events")
    # Not in batch mode: on SQLite that rebuilds the tables, and dropping the old ones would
    # cascade (foreign keys are on). SQLite 3.35+ drops a column in place.
    op.drop_column("peers", "unavailable_until")
    for column in ("check_ins_paused_until", "pulse_paused_until", "awareness_opt_out"):
        op.drop_column("chat_identities", column)
    for column in (
        "on_call_notice_minutes",
        "group_session_threshold",
        "welcome_new_staff",
        "awareness_every_weeks",
    ):
        op.drop_column("organisations", column)
