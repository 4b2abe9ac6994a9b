"""operator_state.watching_conversation_id: suggestions computed for the conversation a
console shows, the others' when they are opened

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operator_state") as batch:
        batch.add_column(sa.Column("watching_conversation_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operator_state") as batch:
        batch.drop_column("watching_conversation_id")
