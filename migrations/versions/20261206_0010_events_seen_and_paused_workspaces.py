"""Events API deliveries already handled (each event once), and workspaces whose delivery is
paused (uninstalled, or a token Slack refuses).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_events_seen",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_events_seen")),
    )
    with op.batch_alter_table("slack_events_seen", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_events_seen_received_at"), ["received_at"], unique=False
        )
    op.create_table(
        "paused_workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("token_fingerprint", sa.String(length=16), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_paused_workspaces")),
    )


def downgrade() -> None:
    op.drop_table("paused_workspaces")
    with op.batch_alter_table("slack_events_seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_events_seen_received_at"))
    op.drop_table("slack_events_seen")
