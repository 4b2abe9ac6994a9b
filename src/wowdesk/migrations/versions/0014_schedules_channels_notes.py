"""half-hour rollup per channel with contacts reaching people; staff gender

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the rollups are rebuilt from the conversations: emptying them makes the next refresh
    # recount the whole history with the new columns
    op.execute("DELETE FROM kpi_interval")
    op.execute("DELETE FROM kpi_day")
    with op.batch_alter_table("kpi_interval", schema=None) as batch_op:
        batch_op.drop_constraint("uq_kpi_interval_day_slot", type_="unique")
        batch_op.add_column(sa.Column("channel", sa.String(length=32), nullable=False))
        batch_op.add_column(sa.Column("offered", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("bot_contained", sa.Integer(), nullable=False))
        batch_op.create_unique_constraint(
            "uq_kpi_interval_day_slot_channel", ["day", "slot", "channel"]
        )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=1), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("gender")
    op.execute("DELETE FROM kpi_interval")
    with op.batch_alter_table("kpi_interval", schema=None) as batch_op:
        batch_op.drop_constraint("uq_kpi_interval_day_slot_channel", type_="unique")
        batch_op.drop_column("bot_contained")
        batch_op.drop_column("offered")
        batch_op.drop_column("channel")
        batch_op.create_unique_constraint("uq_kpi_interval_day_slot", ["day", "slot"])
