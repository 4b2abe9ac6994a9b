"""verified identities: customers and identities known only by an unsigned id

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("customer_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.drop_constraint("uq_identity_channel_ext", type_="unique")
        batch_op.create_unique_constraint(
            "uq_identity_channel_ext", ["channel", "external_id", "verified"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM customer_identity WHERE NOT verified")
    with op.batch_alter_table("customer_identity", schema=None) as batch_op:
        batch_op.drop_constraint("uq_identity_channel_ext", type_="unique")
        batch_op.create_unique_constraint("uq_identity_channel_ext", ["channel", "external_id"])
        batch_op.drop_column("verified")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("verified")
