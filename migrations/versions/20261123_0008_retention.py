"""Retention: when a secondment closed (completed or withdrawn), and when its personal data
was removed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    # Secondments closed before this revision count from their last change.
    op.execute(
        "UPDATE secondments SET closed_at = updated_at WHERE status IN ('completed', 'withdrawn')"
    )


def downgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("closed_at")
