"""operator_state.console_left_at: a closed console is not offered new conversations

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wowdesk.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operator_state") as batch:
        batch.add_column(
            sa.Column("console_left_at", wowdesk.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("operator_state") as batch:
        batch.drop_column("console_left_at")
