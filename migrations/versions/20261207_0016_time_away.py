"""Time away: a person's absences, and the decisions handed to their delegate for each.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delegate_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("begun_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_index(
            "ix_absences_team_id_person_id", ["team_id", "person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_absences_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_absences_ends_at"), ["ends_at"], unique=False)
    op.create_table(
        "away_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("absence_id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["absence_id"],
            ["absences.id"],
            name=op.f("fk_away_handovers_absence_id_absences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_away_handovers_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_away_handovers")),
        sa.UniqueConstraint("absence_id", "secondment_id", "side"),
    )
    with op.batch_alter_table("away_handovers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_away_handovers_secondment_id"), ["secondment_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("away_handovers")
    op.drop_table("absences")
