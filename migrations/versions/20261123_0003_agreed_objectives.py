"""The objectives and deliverables the employee and the host manager agree at the start.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreed_objectives", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("objectives_set_by", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("objectives_set_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("objectives_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("objectives_key")
        batch_op.drop_column("objectives_set_at")
        batch_op.drop_column("objectives_set_by")
        batch_op.drop_column("agreed_objectives")
