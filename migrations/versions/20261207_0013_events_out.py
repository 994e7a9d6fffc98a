"""Events out: each state change on its way to the HR system's webhook.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["secondment_id"], ["secondments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("events_out", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_out_secondment_id"), ["secondment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_events_out_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events_out", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_out_sent_at"))
        batch_op.drop_index(batch_op.f("ix_events_out_secondment_id"))
    op.drop_table("events_out")
