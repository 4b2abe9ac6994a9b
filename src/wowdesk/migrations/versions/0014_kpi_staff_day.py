"""KPI rollup of operators' time per day (online, scheduled, adherent)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_staff_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("available_seconds", sa.Float(), nullable=False),
        sa.Column("scheduled_seconds", sa.Float(), nullable=False),
        sa.Column("adherent_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_staff_day")),
        sa.UniqueConstraint("day", "operator_id", name="uq_kpi_staff_day_key"),
    )
    op.create_index(
        "ix_kpi_staff_day_operator_day", "kpi_staff_day", ["operator_id", "day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_kpi_staff_day_operator_day", table_name="kpi_staff_day")
    op.drop_table("kpi_staff_day")
