"""due jobs: claims picked in (status, run_at, id) order, and the recipient's keyed hash

Revision ID: 0013
Revises: 0004
Create Date: 2026-12-02 16:40:00

`recipient_key` is the recipient's lookup key (the keyed hash `chat_identities.lookup_key`
already holds, never a platform id), so forgetting a person finds the jobs addressed to them
through an index instead of decrypting every job of the organisation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("due_jobs") as batch:
        batch.add_column(sa.Column("recipient_key", sa.String(length=64), nullable=True))
    op.create_index("ix_due_jobs_recipient_key", "due_jobs", ["recipient_key"])
    op.drop_index("ix_due_jobs_status_run_at", table_name="due_jobs")
    op.create_index("ix_due_jobs_status_run_at", "due_jobs", ["status", "run_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_due_jobs_status_run_at", table_name="due_jobs")
    op.create_index("ix_due_jobs_status_run_at", "due_jobs", ["status", "run_at"])
    op.drop_index("ix_due_jobs_recipient_key", table_name="due_jobs")
    # Not in batch mode: SQLite 3.35+ drops a column in place (no table rebuild).
    op.drop_column("due_jobs", "recipient_key")
