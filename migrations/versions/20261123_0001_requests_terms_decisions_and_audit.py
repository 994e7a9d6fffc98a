"""Requests, their versioned terms, the decisions on them and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "secondments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.String(length=32), nullable=False),
        sa.Column("home_manager_id", sa.String(length=32), nullable=False),
        sa.Column("host_manager_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("home_state", sa.String(length=20), nullable=False),
        sa.Column("home_decided_by", sa.String(length=32), nullable=True),
        sa.Column("home_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("host_state", sa.String(length=20), nullable=False),
        sa.Column("host_decided_by", sa.String(length=32), nullable=True),
        sa.Column("host_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("thread_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secondments")),
        sa.UniqueConstraint("request_key", name=op.f("uq_secondments_request_key")),
    )
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_secondments_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_secondments_home_manager_id"), ["home_manager_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_secondments_host_manager_id"), ["host_manager_id"], unique=False
        )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_audit_events_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_secondment_id_at", ["secondment_id", "at"], unique=False
        )

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=True),
        sa.Column("conditions_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_decisions_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_secondment_id"), ["secondment_id"], unique=False
        )

    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secondment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("host_team", sa.String(length=150), nullable=False),
        sa.Column("role_title", sa.String(length=150), nullable=False),
        sa.Column("responsibilities", sa.Text(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("time_commitment", sa.Integer(), nullable=False),
        sa.Column("reporting_line", sa.String(length=500), nullable=True),
        sa.Column("pay_and_benefits", sa.String(length=500), nullable=False),
        sa.Column("return_arrangement", sa.String(length=20), nullable=False),
        sa.Column("coverage_plan", sa.Text(), nullable=False),
        sa.Column("handover_weeks", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secondment_id"],
            ["secondments.id"],
            name=op.f("fk_terms_secondment_id_secondments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms")),
        sa.UniqueConstraint("secondment_id", "version", name=op.f("uq_terms_secondment_id")),
    )


def downgrade() -> None:
    op.drop_table("terms")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_secondment_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_secondment_id_at")

    op.drop_table("audit_events")
    with op.batch_alter_table("secondments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secondments_host_manager_id"))
        batch_op.drop_index(batch_op.f("ix_secondments_home_manager_id"))
        batch_op.drop_index(batch_op.f("ix_secondments_employee_id"))

    op.drop_table("secondments")
