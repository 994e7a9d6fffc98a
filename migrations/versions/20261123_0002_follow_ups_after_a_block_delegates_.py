"""Follow-ups after a block or a silence: delegates, decision rounds, notes, escalations,
scheduled nudges, and the people cache.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_people")),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("raised_by", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_escalations_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint(
            "secondment_id", "round", "kind", name=op.f("uq_escalations_secondment_id")
        ),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_notes_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("source_key", name=op.f("uq_notes_source_key")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_secondment_id"), ["secondment_id"], unique=False)

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_nudges_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudges_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nudges_secondment_id"), ["secondment_id"], unique=False
        )

    # New NOT NULL columns are added empty, filled for the rows already there, then tightened.
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("on_behalf_of", sa.String(length=32), nullable=True))
    op.execute("UPDATE decisions SET kind = 'decided'")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=20), nullable=False)

    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_delegate_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("host_delegate_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("round", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("round_started_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE secondments SET round = terms_version, round_started_at = created_at")
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.alter_column("round", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "round_started_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )

    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_column("change_note")

    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_column("round_started_at")
        batch_op.drop_column("round")
        batch_op.drop_column("host_delegate_id")
        batch_op.drop_column("home_delegate_id")

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("on_behalf_of")
        batch_op.drop_column("kind")

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudges_secondment_id"))
        batch_op.drop_index(batch_op.f("ix_nudges_due_at"))

    op.drop_table("nudges")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_secondment_id"))

    op.drop_table("notes")
    op.drop_table("escalations")
    op.drop_table("people")
