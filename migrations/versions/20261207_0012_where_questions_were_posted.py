"""Where each question with buttons was posted, so it can be closed once it no longer applies.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("posted_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("posted_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_column("posted_ts")
        batch_op.drop_column("posted_channel")
