"""HR as the fallback approver: when a side's decider's account is deactivated, HR decides it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_to_hr_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("host_to_hr_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("host_to_hr_at")
        batch_op.drop_column("home_to_hr_at")
