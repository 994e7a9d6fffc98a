"""HR exceptions: terms outside HR's rules, why they are asked for, and HR's decision on them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hr_state", sa.String(length=20), nullable=True))
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exception_rules", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("exception_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("exception_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("exception_decided_by", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("exception_decided_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("exception_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_column("exception_note")
        batch_op.drop_column("exception_decided_at")
        batch_op.drop_column("exception_decided_by")
        batch_op.drop_column("exception_state")
        batch_op.drop_column("exception_reason")
        batch_op.drop_column("exception_rules")
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("hr_state")
