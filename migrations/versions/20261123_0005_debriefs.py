"""The return debrief, and the outcome a secondment ends with.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "debriefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("achieved", sa.Text(), nullable=False),
        sa.Column("skills_gained", sa.Text(), nullable=False),
        sa.Column("bring_back", sa.Text(), nullable=False),
        sa.Column("home_role_changes", sa.Text(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_debriefs_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debriefs")),
        sa.UniqueConstraint("secondment_id", name=op.f("uq_debriefs_secondment_id")),
    )
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("outcome")

    op.drop_table("debriefs")
