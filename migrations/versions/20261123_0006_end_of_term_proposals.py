"""The end-of-term decision: an extension or permanent move being decided, and a confirmed
return.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("proposal_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("return_confirmed_by", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("return_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("return_confirmed_at")
        batch_op.drop_column("return_confirmed_by")
        batch_op.drop_column("proposed_by")
        batch_op.drop_column("proposal_version")
        batch_op.drop_column("proposal_kind")
