"""personal data: the customers' data-access audit and the erasure mark

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wowdesk.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("place", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_data_access")),
    )
    with op.batch_alter_table("customer_data_access", schema=None) as batch_op:
        batch_op.create_index("ix_customer_data_access_created", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_data_access_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_data_access_user_id"), ["user_id"], unique=False
        )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", wowdesk.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("customer_data_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_data_access_user_id"))
        batch_op.drop_index(batch_op.f("ix_customer_data_access_customer_id"))
        batch_op.drop_index("ix_customer_data_access_created")
    op.drop_table("customer_data_access")
